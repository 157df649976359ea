import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const GRACEFUL_STOP_JS = join(__dirname, '..', '..', '..', 'dist', 'src', 'process', 'graceful-stop.js');

/** A process whose stop takes `stop` ('clean', 'unclean' or 'hangs'), built from the compiled module as main.js uses it. */
function program(stop: 'clean' | 'unclean' | 'hangs', timeoutMs = 60_000): string {
  return `
    const { exitGracefullyOnStop } = require(${JSON.stringify(GRACEFUL_STOP_JS)});
    exitGracefullyOnStop({
      timeoutMs: ${timeoutMs},
      log: (message) => console.log(message),
      stop: () => ${stop === 'hangs' ? 'new Promise(() => undefined)' : `new Promise((resolve) => setTimeout(() => resolve(${stop === 'clean'}), 100))`},
      beforeForcedExit: () => console.log('forced'),
    });
    setInterval(() => undefined, 1000);
    console.log('ready');
  `;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function started(child: ChildProcess): Promise<Run> {
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  while (!output.includes('ready') && !ended) await new Promise((resolve) => setTimeout(resolve, 20));
  if (ended) throw new Error(`the process ended before it was ready:\n${output}`);
  return { child, output: () => output, exited };
}

/** `withIpc`: as the supervisor forks its workers (an IPC channel to the parent). */
const run = (source: string, withIpc = false) => started(spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe', ...(withIpc ? ['ipc' as const] : [])] }));

/** README "Graceful shutdown": the first signal stops in order, a second one or the timeout forces the exit. */
describe('a process stopping on SIGTERM / SIGINT', () => {
  beforeAll(() => {
    if (!existsSync(GRACEFUL_STOP_JS)) throw new Error(`${GRACEFUL_STOP_JS} is missing: run \`npm run build\` first (npm test does)`);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s: exits 0 once everything closed cleanly', async (signal) => {
    const app = await run(program('clean'));
    app.child.kill(signal);
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain(`${signal}: stopping`);
    expect(app.output()).toContain('stopped');
  });

  it('exits 1 when a part did not close cleanly', async () => {
    const app = await run(program('unclean'));
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 1, signal: null });
  });

  it('a second signal while stopping exits 1 at once', async () => {
    const app = await run(program('hangs'));
    app.child.kill('SIGTERM');
    while (!app.output().includes('stopping')) await new Promise((resolve) => setTimeout(resolve, 20));
    app.child.kill('SIGINT');
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.output()).toMatch(/SIGINT while stopping: exiting without finishing\nforced/);
  });

  it('SHUTDOWN_TIMEOUT_MS without finishing exits 1', async () => {
    const app = await run(program('hangs', 300));
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.output()).toContain('not stopped after 300 ms: exiting without finishing');
  });

  it('a forked worker stops when its supervisor is gone', async () => {
    const orphan = await run(program('clean'), true);
    orphan.child.disconnect();
    expect(await orphan.exited).toEqual({ code: 0, signal: null });
    expect(orphan.output()).toContain('supervisor gone: stopping');
  });
});
