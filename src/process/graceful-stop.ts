export interface GracefulStopOptions {
  timeoutMs: number;
  /** Closes the process in order; resolves false when part of it did not close cleanly (exit code 1). */
  stop(): Promise<boolean>;
  /** Right before a forced exit (e.g. kill the worker processes that are still running). */
  beforeForcedExit?(): void;
  log(message: string): void;
}

/**
 * How a process ends: the first SIGTERM or SIGINT (or, for a forked worker, its supervisor gone) runs `stop` and
 * exits 0 when it closed cleanly; a second signal, or `timeoutMs` without finishing, exits 1 at once. A forced exit loses
 * nothing: a step still claimed then is rolled back with its claim and repeated by another worker.
 */
export function exitGracefullyOnStop(options: GracefulStopOptions): void {
  let stopping = false;
  const force = (why: string) => {
    options.log(`${why}: exiting without finishing`);
    options.beforeForcedExit?.();
    process.exit(1);
  };
  const request = (why: string, isSignal: boolean) => {
    if (stopping) {
      if (isSignal) force(`${why} while stopping`);
      return;
    }
    stopping = true;
    options.log(`${why}: stopping (finishing claimed work and requests; forced after ${options.timeoutMs} ms or by a second signal)`);
    setTimeout(() => force(`not stopped after ${options.timeoutMs} ms`), options.timeoutMs);
    options.stop().then(
      (clean) => {
        options.log(clean ? 'stopped' : 'stopped, but not cleanly (a worker process did not exit with 0)');
        process.exit(clean ? 0 : 1);
      },
      (error: Error) => {
        options.log(`stopping failed: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => request(signal, true));
  // a forked worker: a supervisor that died (even by SIGKILL) must not leave it running
  if (process.send) process.on('disconnect', () => request('supervisor gone', false));
}
