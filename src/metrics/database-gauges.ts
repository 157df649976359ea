import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { queryOne } from '../database/sql';
import { DEAD_LETTER_ALERT } from '../notifications/system-alert.entity';

/** What the whole system holds in PostgreSQL at this moment: the same answer from every process. */
export interface QueueDepths {
  /** Workflow jobs due now and not yet taken: the steps waiting for a worker. */
  stepBacklog: number;
  incidentsOpen: number;
  /** Unsent outbox messages; `dead`: given up on and not yet dealt with by a person (open dead-letter alerts). */
  notifications: { pending: number; failed: number; dead: number };
}

/**
 * One read-only statement per scrape (one round trip, the only connection of the embedded database held for a moment).
 * It reads the workflow's and the outbox's tables directly rather than through three services: counts, no rows, each from
 * a partial index (workflow_job_due_idx, notification_due_idx, system_alert_open_idx). Dead messages are counted as their
 * open alerts, not as notification rows: those pile up for ever and have no index (~0.5 s a scrape at a million messages).
 */
export async function readQueueDepths(db: DataSource): Promise<QueueDepths> {
  const row = await queryOne<{ backlog: string; incidents: string; pending: string; failed: string; dead: string }>(
    db,
    `SELECT (SELECT count(*) FROM workflow_job WHERE status = 'pending' AND run_at <= now()) AS backlog,
            (SELECT count(*) FROM incident WHERE status = 'open') AS incidents,
            unsent.pending, unsent.failed,
            (SELECT count(*) FROM system_alert WHERE kind = $1 AND status = 'open') AS dead
       FROM (SELECT count(*) FILTER (WHERE last_error IS NULL) AS pending, count(*) FILTER (WHERE last_error IS NOT NULL) AS failed
               FROM notification WHERE status IN ('pending','sending')) unsent`,
    [DEAD_LETTER_ALERT],
  );
  return {
    stepBacklog: Number(row!.backlog),
    incidentsOpen: Number(row!.incidents),
    notifications: { pending: Number(row!.pending), failed: Number(row!.failed), dead: Number(row!.dead) },
  };
}

/** The pg pool behind TypeORM: its clients (connections) and the queries queued for one. */
export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export function poolUsage(db: DataSource): PoolUsage {
  const pool = (db.driver as PostgresDriver).master as Pool;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}
