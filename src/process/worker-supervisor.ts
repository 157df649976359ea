import { type ChildProcess, fork } from 'node:child_process';
import type { LoggerService } from '@nestjs/common';

/** What a forked worker tells its supervisor once it serves its probes. */
export interface WorkerReady {
  type: 'worker-ready';
  port: number;
}

/** Restart delay after the n-th crash in a row: 1 s, 2 s, 4 s ... capped at 30 s. */
export const restartDelayMs = (crashesInARow: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, crashesInARow - 1));

/** A worker that ran this long before it exited is counted as healthy: its next restart waits 1 s again. */
const STABLE_AFTER_MS = 60_000;

interface Slot {
  /** 1..count, stable across restarts (it picks the worker's port). */
  number: number;
  child?: ChildProcess;
  /** Resolves when the child exits: whether it stopped cleanly. */
  exited?: Promise<boolean>;
  ready: boolean;
  startedAt: number;
  crashesInARow: number;
  restart?: NodeJS.Timeout;
}

export interface WorkerSupervisorOptions {
  count: number;
  /** The environment of worker `number` (its role and port). */
  envOf(number: number): NodeJS.ProcessEnv;
  logger: LoggerService;
  /** The node flags of every worker: this process's own, plus the worker heap limit (workerExecArgv). */
  execArgv?: string[];
}

/**
 * The node flags of a forked worker: the supervisor's own, with `--max-old-space-size` (unless one was given already) so that
 * a worker collects its garbage before its resident memory grows to several hundred MB (WORKER_MAX_HEAP_MB; 0 leaves V8's
 * default), and the young generation kept at V8's usual 16 MB semi-spaces, which V8 would otherwise shrink with the limit.
 */
export function workerExecArgv(own: readonly string[], maxHeapMb: number): string[] {
  if (maxHeapMb <= 0 || own.some((flag) => /^--max[-_]old[-_]space[-_]size/.test(flag))) return [...own];
  const semiSpace = own.some((flag) => /^--max[-_]semi[-_]space[-_]size/.test(flag)) ? [] : ['--max-semi-space-size=16'];
  return [...own, `--max-old-space-size=${maxHeapMb}`, ...semiSpace];
}

/**
 * Keeps `count` worker processes running (WORKERS=N): each is this same program forked with OMS_ROLE=worker. A worker
 * that exits is started again after a backoff; stop() asks every worker to stop and waits for them. Workers share
 * nothing with the supervisor but PostgreSQL (the job queue), so a crash loses no work: its claimed step is rolled back
 * with its claim when its connection closes, and any worker repeats it. child_process.fork rather than node:cluster: workers serve no shared port, and
 * each one's own /health port stays simple.
 */
export class WorkerSupervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(private readonly options: WorkerSupervisorOptions) {
    this.slots = Array.from({ length: options.count }, (_, i) => ({ number: i + 1, ready: false, startedAt: 0, crashesInARow: 0 }));
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /** The running workers' process ids. */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.child?.pid === undefined ? [] : [slot.child.pid]));
  }

  /** Passes SIGTERM on to every worker and waits for them; true when each one stopped cleanly. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    const clean = await Promise.all(
      this.slots.map((slot) => {
        clearTimeout(slot.restart);
        if (!slot.child || !slot.exited) return true;
        slot.child.kill('SIGTERM');
        return slot.exited;
      }),
    );
    return clean.every(Boolean);
  }

  /** The forced end (a second signal, the shutdown timeout): workers still running are killed. */
  kill(): void {
    this.stopping = true;
    for (const slot of this.slots) {
      clearTimeout(slot.restart);
      if (slot.child && slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
    }
  }

  private spawn(slot: Slot): void {
    // its own process group: a terminal's Ctrl-C reaches the supervisor alone, which passes it on once (a worker that got
    // it twice would take the second as "force"); a supervisor that dies is noticed by its workers (IPC disconnect)
    const child = fork(process.argv[1], process.argv.slice(2), { env: this.options.envOf(slot.number), execArgv: this.options.execArgv ?? process.execArgv, detached: true });
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    const name = `worker ${slot.number} (pid ${child.pid})`;
    child.on('message', (message: WorkerReady) => {
      if (message?.type !== 'worker-ready') return;
      slot.ready = true;
      this.options.logger.log(`${name} ready, /health on port ${message.port}`, 'Supervisor');
    });
    child.once('error', (error) => this.options.logger.error(`${name}: ${error.message}`, 'Supervisor'));
    let exited!: (clean: boolean) => void;
    slot.exited = new Promise((resolve) => (exited = resolve));
    child.once('exit', (code, signal) => {
      if (slot.child === child) slot.child = undefined;
      if (this.stopping) {
        this.options.logger.log(`${name} stopped (${signal ?? `code ${code}`})`, 'Supervisor');
        // a worker still loading its code dies of SIGTERM before it can handle it: it had claimed nothing yet
        return exited(code === 0 || (!slot.ready && signal === 'SIGTERM'));
      }
      exited(false);
      slot.crashesInARow = Date.now() - slot.startedAt >= STABLE_AFTER_MS ? 1 : slot.crashesInARow + 1;
      const delay = restartDelayMs(slot.crashesInARow);
      this.options.logger.warn(`${name} exited (${signal ?? `code ${code}`}); starting it again in ${delay} ms`, 'Supervisor');
      slot.restart = setTimeout(() => this.spawn(slot), delay);
    });
  }
}
