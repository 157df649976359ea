#!/usr/bin/env node
// Per-request cost of the revocation check (issue 11 item 3): requests/s of GET /api/orders/{id} with a user's access
// token, served by this checkout (the token version compared in the query that resolves the token) and by the commit
// before the change (BENCH_BASELINE_REF, default: the merge base with main), in the same run, on the same database,
// with the same load client; rounds alternate so that the machine's other load falls on both alike.
// Usage: npm run build && node bench/auth-revocation.mjs
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_BASELINE_REF (a git ref),
//      BENCH_CLIENTS (concurrent keep-alive connections, default 8), BENCH_DURATION_S (per build and round, default 4),
//      BENCH_ROUNDS (default 15), BENCH_WARMUP_S (default 3).
// Result: the median over rounds of (current / baseline) requests/s, each round measuring both builds back to back (in
// alternating order), so that a change in the machine's other load between rounds cancels out; the median requests/s
// and app CPU time per request of each (CPU per request moves far less with other load than requests/s does); and the
// database time of the two token lookups themselves.
//
// The baseline is built from a temporary `git worktree` next to this checkout, compiled with this checkout's
// node_modules (its package.json must be the same), started like `npm run start:prod` in a child process, as is this
// checkout's build. Both serve the same PostgreSQL database at the same time; only one is loaded at a time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { createScratchDatabase } = require('../dist/src/database/database-url.js');

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const ADMIN = { email: 'bench-admin@bench.local', password: 'bench-admin-password-1' };
const OPERATOR = { email: 'bench-operator@bench.local', password: 'bench-operator-password-1' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The commit before the change, checked out next to this one and compiled with this checkout's dependencies. */
function buildBaseline() {
  const ref = process.env.BENCH_BASELINE_REF ?? git('merge-base', 'HEAD', 'main');
  const commit = git('rev-parse', '--short', ref);
  const dir = mkdtempSync(join(tmpdir(), 'oms-bench-baseline-'));
  rmSync(dir, { recursive: true });
  git('worktree', 'add', '--detach', dir, ref);
  const samePackages = git('show', `${ref}:package-lock.json`) === readFileSync(join(ROOT, 'package-lock.json'), 'utf8').trim();
  if (!samePackages) throw new Error(`${commit} has other dependencies than this checkout: install them in ${dir} instead of linking`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  return { dir, commit, remove: () => git('worktree', 'remove', '--force', dir) };
}

/** `node dist/src/main.js` of a checkout, ready when /health answers 200. */
async function startServer(dir, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(dir, 'dist', 'src', 'main.js')], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ADMIN_ENABLED: 'false', DEMO_DATA: 'off', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 600; tries++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { url, pid: child.pid, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${dir} did not start:\n${output}`);
}

async function api(base, method, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.status === 204 ? null : await response.json();
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}
const login = async (base, who) => (await api(base, 'POST', '/api/auth/login', undefined, who)).accessToken;

/** An order in a steady state, and an operator (no admin shortcut: the role's permissions are looked up) who reads it. */
async function seed(base) {
  const admin = await login(base, ADMIN);
  await api(base, 'POST', '/api/warehouses', admin, { code: 'BENCH', name: 'Bench', province: '上海市', city: '上海市', priority: 1 });
  await api(base, 'POST', '/api/products', admin, { sku: 'BENCH-1', name: 'Bench tea', price: '19.90' });
  await api(base, 'PUT', '/api/inventory/BENCH/BENCH-1', admin, { onHand: 100 });
  const order = await api(base, 'POST', '/api/orders', admin, {
    channel: 'bench', externalId: 'BENCH-ORDER-1',
    customer: { name: '张三', phone: '13800138000' },
    shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号' },
    lines: [{ sku: 'BENCH-1', quantity: 2, unitPrice: '19.90' }],
    payment: { method: 'alipay', status: 'paid' },
  });
  for (let tries = 0; tries < 200; tries++) {
    if ((await api(base, 'GET', `/api/orders/${order.id}`, admin)).status === 'awaiting_shipment') break;
    await sleep(100);
  }
  await api(base, 'POST', '/api/users', admin, { ...OPERATOR, name: 'Bench operator', roles: ['operator'] });
  return order.id;
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CLIENTS keep-alive connections, each sending the next GET when the last answered, for `seconds`. */
async function load({ url: base, pid }, token, orderId, seconds) {
  const cpuBefore = cpuMs(pid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(base);
  const get = () =>
    new Promise((resolve, reject) => {
      const request = http.get({ agent, hostname, port, path: `/api/orders/${orderId}`, headers: { authorization: `Bearer ${token}` } }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`GET → ${response.statusCode}`))));
      });
      request.on('error', reject);
    });
  let count = 0;
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const at = performance.now();
        await get();
        latencies.push(performance.now() - at);
        count++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: count / elapsed, p50: median(latencies), cpuMicrosPerRequest: ((cpuMs(pid) - cpuBefore) * 1000) / count };
}

/** The two token lookups themselves (before: an enabled user's unexpired token; after: of the user's token version too). */
const LOOKUP = {
  before: `SELECT u.id, u.email AS name, u.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions
             FROM access_token t JOIN app_user u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.expires_at > now() AND u.active`,
  after: `SELECT u.id, u.email AS name, u.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions
             FROM access_token t JOIN app_user u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.expires_at > now() AND u.active AND t.token_version = u.token_version`,
};

/**
 * Microseconds of database time per lookup of each query: a PL/pgSQL loop EXECUTEs it (parsed and planned every time,
 * like the driver's unnamed statements) QUERIES times per round, rounds alternating, so that neither the network nor the
 * client's scheduling is in the figure.
 */
async function lookupCost(url, token) {
  const { Client } = require('pg');
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(token).digest('hex');
  const db = new Client({ connectionString: url });
  await db.connect();
  const queries = 5000;
  const rounds = { before: [], after: [] };
  try {
    await db.query(`CREATE FUNCTION pg_temp.lookup_cost(query text, hash text, times int) RETURNS float8 LANGUAGE plpgsql AS $$
      DECLARE started timestamptz := clock_timestamp(); found record;
      BEGIN
        FOR i IN 1..times LOOP
          EXECUTE query INTO STRICT found USING hash;
        END LOOP;
        RETURN extract(epoch FROM clock_timestamp() - started) * 1e6 / times;
      END $$`);
    for (let round = 0; round < 2 * ROUNDS + 1; round++) {
      for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
        const { rows } = await db.query(`SELECT pg_temp.lookup_cost($1, $2, $3) AS micros`, [LOOKUP[name], hash, queries]);
        if (round > 0) rounds[name].push(rows[0].micros);
      }
    }
  } finally {
    await db.end();
  }
  return { before: median(rounds.before), after: median(rounds.after) };
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const head = git('rev-parse', '--short', 'HEAD');
  const baseline = buildBaseline();
  const database = await createScratchDatabase(BASE_URL, 'oms_bench');
  const env = { DATABASE_URL: database.url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  const servers = [];
  try {
    // this checkout first: it migrates the database to its schema, which the baseline's code reads as well
    const current = await startServer(ROOT, env);
    servers.push(current);
    const orderId = await seed(current.url);
    const old = await startServer(baseline.dir, env);
    servers.push(old);
    const builds = [
      { name: `baseline ${baseline.commit}`, server: old, token: await login(old.url, OPERATOR), results: [] },
      { name: `revocation check ${head}`, server: current, token: await login(current.url, OPERATOR), results: [] },
    ];
    for (const build of builds) await load(build.server, build.token, orderId, WARMUP_S);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const build of round % 2 ? builds : [...builds].reverse()) {
        const result = await load(build.server, build.token, orderId, DURATION_S);
        build.results.push(result);
        console.log(`round ${round} ${build.name}: ${result.rps.toFixed(0)} requests/s, p50 ${result.p50.toFixed(2)} ms, app CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request`);
      }
    }
    const [before, after] = builds.map((build) => median(build.results.map((result) => result.rps)));
    const ratio = median(builds[1].results.map((result, round) => result.rps / builds[0].results[round].rps));
    const [cpuBefore, cpuAfter] = builds.map((build) => median(build.results.map((result) => result.cpuMicrosPerRequest)));
    const lookup = await lookupCost(database.url, builds[1].token);
    console.log(
      JSON.stringify(
        {
          clients: CLIENTS, durationS: DURATION_S, rounds: ROUNDS,
          baseline: { commit: baseline.commit, rps: Math.round(before), appCpuMicrosPerRequest: Math.round(cpuBefore) },
          current: { commit: head, rps: Math.round(after), appCpuMicrosPerRequest: Math.round(cpuAfter) },
          medianRatio: Number(ratio.toFixed(3)),
          slowerPercent: Number(((1 - ratio) * 100).toFixed(1)),
          tokenLookupMicroseconds: { before: Number(lookup.before.toFixed(1)), after: Number(lookup.after.toFixed(1)) },
          goal: 'under 5 % slower',
        },
        null,
        2,
      ),
    );
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await database.drop();
    baseline.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
