import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { afterCommit } from '../database/after-commit';
import { isDatabaseUnavailable, OutageNotice, retryWhileUnavailable } from '../database/connection-errors';
import { queryOne } from '../database/sql';

export type StockIncreasedListener = (skus: string[]) => Promise<void>;

/** How long a process owns an announcement it works; after a crash another process takes it over after this. */
const LEASE_SECONDS = 30;
/** How often every process looks for announcements nobody worked (a crash right after a commit, another process's). */
const SWEEP_MS = 1000;

/**
 * Stock that became available, announced durably (issue 12 item 1): a row written in the transaction of the change (a
 * cancel's release, a restock, a return), worked after the commit by this process at once and by any process's sweep
 * otherwise, under a lease. Announced in memory alone, a release was read before its commit and lost with its process.
 * The listeners (orders waiting for stock) are safe to run twice: they allocate only what is still waiting and free.
 */
@Injectable()
export class StockAnnouncements implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('StockAnnouncements');
  private readonly outage = new OutageNotice(this.logger, 'stock announcements');
  private readonly listeners: StockIncreasedListener[] = [];
  private sweep?: NodeJS.Timeout;
  private working?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // a crash-test process dies at its first announcement: it must leave the work to the others, not sweep it first
    if (this.config.FAULT_CRASH_AFTER_STOCK_ANNOUNCED || !runsWorkers(this.config)) return;
    this.sweep = setInterval(() => this.work(), SWEEP_MS);
    this.sweep.unref();
  }

  /** Before the database closes: an announcement being worked is finished (or left to its lease). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    await this.working;
  }

  /** Orders waiting for stock subscribe here; inventory itself knows nothing of orders. */
  subscribe(listener: StockIncreasedListener): void {
    this.listeners.push(listener);
  }

  /** Announces `skus` with the caller's transaction: the row commits with the change, or not at all. */
  async announce(manager: EntityManager, skus: string[]): Promise<void> {
    if (skus.length === 0) return;
    await manager.query(`INSERT INTO stock_announcement (skus) VALUES ($1)`, [[...new Set(skus)].sort()]);
    afterCommit(manager, () => {
      if (this.config.FAULT_CRASH_AFTER_STOCK_ANNOUNCED) process.kill(process.pid, 'SIGKILL');
      // a web process leaves it to the workers' sweep
      else if (runsWorkers(this.config)) void this.work();
    });
  }

  /** Works every pending announcement; one run at a time in a process (a call during a run makes it look again). */
  work(): Promise<void> {
    if (this.working) {
      this.again = true;
      return this.working;
    }
    this.working = (async () => {
      do {
        this.again = false;
        while (!this.stopped && (await this.workOne()));
      } while (this.again);
    })()
      .then(() => this.outage.over())
      .catch((error: Error) => {
        // the database restarting: the next sweep tries again, and the pool reconnects
        if (!this.outage.noted(error)) this.logger.error(`stock announcements: ${error.message}`);
      })
      .finally(() => (this.working = undefined));
    return this.working;
  }

  private async workOne(): Promise<boolean> {
    const claimed = await queryOne<{ id: string; skus: string[]; attempts: number }>(
      this.db,
      `UPDATE stock_announcement SET lease_until = now() + make_interval(secs => $1), attempts = attempts + 1
        WHERE id = (SELECT id FROM stock_announcement WHERE done_at IS NULL AND (lease_until IS NULL OR lease_until < now())
                     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, skus, attempts`,
      [LEASE_SECONDS],
    );
    if (!claimed) return false;
    try {
      for (const listener of this.listeners) await listener(claimed.skus);
      await this.db.query(`UPDATE stock_announcement SET done_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1`, [claimed.id]);
    } catch (error) {
      // left to its lease: this or another process tries again once it runs out; cut off by a lost connection, it is
      // given back as soon as the database answers again instead
      const unreachable = isDatabaseUnavailable(error);
      this.logger.warn(`stock announcement ${claimed.id} (${claimed.skus.join(', ')}) failed: ${(error as Error).message}`);
      await retryWhileUnavailable(
        () =>
          // (a repeat after a lost answer must not give back another process's claim: that one counted another attempt)
          this.db.query(`UPDATE stock_announcement SET last_error = $2, lease_until = CASE WHEN $3 AND attempts = $4 THEN NULL ELSE lease_until END WHERE id = $1`, [
            claimed.id,
            String((error as Error).message).slice(0, 2000),
            unreachable,
            claimed.attempts,
          ]),
        LEASE_SECONDS * 1000,
      );
    }
    return true;
  }

}
