import type { Logger } from '@nestjs/common';
import { OutageNotice } from './connection-errors';

/** While the database is out of reach, an idle loop looks again at most this often (the pool reconnects on that look). */
const OUTAGE_POLL_MS = 1000;

/**
 * Delay before the next try after the n-th failed attempt (n ≥ 1): `baseSeconds`, doubling each time, at most `capSeconds`.
 * One rule for every queue the product drains (workflow jobs, the outbox).
 */
export function backoffSeconds(attempt: number, { baseSeconds, capSeconds }: { baseSeconds: number; capSeconds: number }): number {
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/**
 * Loops that drain a queue kept in PostgreSQL, shared by the workflow job worker and the outbox sender: each loop claims and
 * runs one item at a time (`runOnce`, which claims with FOR UPDATE SKIP LOCKED and answers whether there was
 * one, and whether more are due) and keeps going until the queue is empty, then sleeps until woken. One loop (the first) also wakes every `pollMs` to
 * find what no wake-up announces (timers and retries falling due, a wake-up lost to a crash); the others sleep until woken,
 * so an idle process polls once per period, not once per loop. A loop that found more work due wakes one more, so a backlog
 * spreads over every loop; one whose claim saw nothing else due (`more: false`) sleeps after its item instead of claiming again. A wake-up that finds every loop busy is kept: a loop that just found the queue empty looks once more.
 * stop() lets every loop finish its item and returns when they have.
 */
export class WorkLoops {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private missedWake = false;
  private readonly outage: OutageNotice;

  constructor(
    private readonly logger: Logger,
    private readonly runOnce: () => Promise<{ worked: boolean; more?: boolean }>,
    private readonly pollMs: number,
  ) {
    this.outage = new OutageNotice(logger, 'loop');
  }

  get started(): boolean {
    return this.running;
  }

  start(concurrency: number): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(i === 0));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.sleepers]) wake();
    await Promise.all(this.loops.splice(0));
  }

  /** Work was queued in this process: its loops look at once. False when this process runs none (another must be told). */
  kick(): boolean {
    if (!this.running) return false;
    this.wakeOne();
    return true;
  }

  /** Runs items in the caller until none is due (tests; a "send now"); returns how many were worked. */
  async drain(): Promise<number> {
    let worked = 0;
    while ((await this.runOnce()).worked) worked++;
    return worked;
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

  private async loop(polls: boolean): Promise<void> {
    while (this.running) {
      this.missedWake = false;
      let outcome: { worked: boolean; more?: boolean } = { worked: false };
      try {
        outcome = await this.runOnce();
        this.outage.over();
      } catch (error) {
        // PostgreSQL restarting: logged once, not with a stack per poll; the loops go on and the pool reconnects
        if (!this.outage.noted(error)) this.logger.error(`loop: ${(error as Error).stack ?? error}`);
      }
      if (outcome.more) this.wakeOne(); // a backlog: another loop helps
      // after an item, look again at once, unless the claim saw nothing else due: a claim that would find nothing costs a
      // round trip or two per item at low load; work queued meanwhile wakes a loop (or, all busy, is kept as missedWake)
      if (outcome.worked && outcome.more !== false) continue;
      // the polling loop looks no more than once a second while the database is out of reach
      if (this.running && !this.missedWake) await this.sleep(polls ? (this.outage.ongoing ? Math.max(this.pollMs, OUTAGE_POLL_MS) : this.pollMs) : undefined);
    }
  }

  /** Until woken, or `ms` at most. */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
