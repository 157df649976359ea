import type { Logger } from '@nestjs/common';

/**
 * Delay before the next try after the n-th failed attempt (n ≥ 1): `baseSeconds`, doubling each time, at most `capSeconds`.
 * One rule for every queue the product drains (workflow jobs, the outbox).
 */
export function backoffSeconds(attempt: number, { baseSeconds, capSeconds }: { baseSeconds: number; capSeconds: number }): number {
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/**
 * Loops that drain a queue kept in PostgreSQL, shared by the workflow job worker and the outbox sender: each loop claims and
 * runs one item at a time (`runOnce`, which claims with FOR UPDATE SKIP LOCKED under a lease and answers whether there was
 * one) and keeps going until the queue is empty, then sleeps until woken or until the next poll (which also fires what fell
 * due meanwhile: timers, retries). A wake-up that finds every loop busy is kept, so a loop that just found the queue empty
 * looks once more instead of sleeping through it. stop() lets every loop finish its item and returns when they have.
 */
export class WorkLoops {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private missedWake = false;

  constructor(
    private readonly logger: Logger,
    private readonly runOnce: () => Promise<boolean>,
    private readonly pollMs: number,
  ) {}

  get started(): boolean {
    return this.running;
  }

  start(concurrency: number): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.sleepers]) wake();
    await Promise.all(this.loops.splice(0));
  }

  /** Work was queued: one sleeping loop looks for it. False when none was asleep (busy loops look again before sleeping). */
  wakeOne(): boolean {
    if (!this.running) return false;
    const [wake] = this.sleepers;
    if (!wake) {
      this.missedWake = true;
      return false;
    }
    wake();
    return true;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.missedWake = false;
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.logger.error(`loop: ${(error as Error).stack ?? error}`);
      }
      if (!worked && this.running && !this.missedWake) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
