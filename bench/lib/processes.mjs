// The app as the product runs it (`node dist/src/main.js`, with WORKERS=N its forked worker processes), and what /proc
// tells about processes: CPU of a process tree, of PostgreSQL, resident memory.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** /proc/<pid>/stat: name, parent, and CPU ticks (own, and of reaped children). Null when the process is gone. */
function statOf(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' '); // fields[0] is the state (field 3)
  return {
    pid: Number(pid),
    comm: stat.slice(open + 1, close),
    ppid: Number(fields[1]),
    ownTicks: Number(fields[11]) + Number(fields[12]),
    reapedTicks: Number(fields[13]) + Number(fields[14]),
    startedAt: fields[19], // field 22: start time, which tells a reused pid apart
  };
}

const allStats = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(statOf).filter(Boolean);

/** The pids of `root` and all its descendants. */
export function processTree(root) {
  const children = new Map();
  for (const stat of allStats()) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const tree = [];
  const visit = (pid) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child.pid);
  };
  if (statOf(root)) visit(root);
  return tree;
}

/** CPU ms of a process tree: the live processes' own time plus what the root's reaped children used. */
export function treeCpuMs(root) {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = statOf(pid);
    if (stat) ticks += stat.ownTicks + (pid === root ? stat.reapedTicks : 0);
  }
  return (ticks * 1000) / CLK_TCK;
}

/** CPU ms of every `postgres` process: its own time plus that of its reaped children (ended backends). */
export function postgresCpuMs() {
  let ticks = 0;
  let seen = 0;
  for (const stat of allStats()) {
    if (stat.comm !== 'postgres') continue;
    ticks += stat.ownTicks + stat.reapedTicks;
    seen++;
  }
  return seen ? (ticks * 1000) / CLK_TCK : NaN;
}

/** Resident set size now and at its peak (VmRSS, VmHWM) in MB; null when the process is gone. */
export function rssMb(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Whether this build knows an environment variable: the build's own configuration schema keeps it (zod drops keys it
 * does not declare). `sample` must be a valid value.
 */
export function buildKnows(name, sample, baseEnv) {
  const { loadConfig } = require('../../dist/src/config/config.js');
  try {
    return name in loadConfig({ ...baseEnv, [name]: sample });
  } catch {
    return false;
  }
}
/**
 * Starts `node dist/src/main.js` with `env` on a free port and waits for /health. Its output goes to a log file (its end
 * printed when the start fails; removed at stop unless BENCH_KEEP_LOGS=1); `onSpawn(pid)` is told the pid at once. Returns `{ pid, base, logFile, workerPids(), stop() }`; workerPids() are the node processes it forked.
 */
export async function startApp(env, { label = 'app', timeoutMs = 90_000, onSpawn } = {}) {
  const port = await freePort();
  const logFile = join(tmpdir(), `oms-bench-${label}-${process.pid}-${Date.now()}.log`);
  const log = openSync(logFile, 'a');
  // BENCH_NODE_ARGS: node flags for the app and the workers it forks (e.g. --trace-gc, which NODE_OPTIONS refuses)
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MAIN], { env: { ...env, PORT: String(port) }, stdio: ['ignore', log, log] });
  onSpawn?.(child.pid);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${label} exited during start-up (${JSON.stringify(exited)}); log: ${logFile}\n${tail(logFile)}`);
    const healthy = await fetch(`${base}/health`).then((res) => res.ok, () => false);
    if (healthy) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not answer /health within ${timeoutMs} ms; log: ${logFile}\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  const workerPids = () => processTree(child.pid).filter((pid) => pid !== child.pid && statOf(pid)?.comm === 'node');
  return {
    pid: child.pid,
    base,
    logFile,
    workerPids,
    exited: () => exited,
    /** SIGTERM, then SIGKILL to what is left of the tree after `graceMs`. */
    async stop(graceMs = 30_000) {
      if (exited) return;
      const tree = processTree(child.pid).map(statOf).filter(Boolean);
      child.kill('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (!exited && Date.now() < deadline) await sleep(100);
      if (process.env.BENCH_KEEP_LOGS !== '1') rmSync(logFile, { force: true });
      // only what this app started and is still the same process (never a reused pid)
      for (const { pid, startedAt } of tree) {
        if (statOf(pid)?.startedAt !== startedAt) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // it ended meanwhile
        }
      }
    },
  };
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
