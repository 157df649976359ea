import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { poolUsage, readQueueDepths } from './database-gauges';

/**
 * How a workflow job ended: `saved` (the step committed), `failed` (it will be retried), `incident` (retries used up),
 * `dropped` (the instance changed meanwhile, so its result was thrown away and the job waits for a later try), `skipped`
 * (nothing left to do: already started, message already delivered, timer already gone).
 */
export const STEP_OUTCOMES = ['saved', 'failed', 'incident', 'dropped', 'skipped'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

const NOTIFICATION_STATES = ['pending', 'failed', 'dead'] as const;

/** Channels are the callers' words: past this many distinct ones a process counts the rest as `other` (bounded series). */
const MAX_CHANNELS = 50;

/** A scrape should not hang on a database that does not answer (Prometheus gives up after 10 s by default). */
const DATABASE_READ_TIMEOUT_MS = 5_000;

// Help texts say where a figure comes from: "this process" (tell processes apart by Prometheus' instance label, sum over
// them for the system) or "the whole system" (read from PostgreSQL: every process reports the same value, use max()).
const PER_PROCESS = '(this process)';
const SYSTEM_WIDE = '(the whole system, read from PostgreSQL at scrape time: the same from every process)';

/**
 * Every metric of the service, in its own registry (several apps in one test process must not share one), with prom-client's
 * process metrics (CPU, memory, event-loop lag, GC). Areas report through the small methods; /metrics renders them.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly channels = new Set<string>();

  private readonly ordersAccepted = new Counter({
    name: 'oms_orders_accepted_total',
    help: `New orders taken by the intake (API and admin), by channel; a repeated (channel, externalId) is not counted ${PER_PROCESS}`,
    labelNames: ['channel'],
    registers: [this.registry],
  });

  private readonly intakeRefusals = new Counter({
    name: 'oms_intake_refused_total',
    help: `POST /api/orders answered with an error, by error code (validation_failed, unauthorized, rate_limited, ...) ${PER_PROCESS}`,
    labelNames: ['code'],
    registers: [this.registry],
  });

  private readonly steps = new Counter({
    name: 'oms_workflow_steps_total',
    help: `Workflow jobs worked, by outcome: saved, failed (retried later), incident, dropped (instance changed meanwhile), skipped (nothing to do) ${PER_PROCESS}`,
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly stepSeconds = new Histogram({
    name: 'oms_workflow_step_duration_seconds',
    help: `Time to work one workflow job after claiming it: load, engine, task handlers, save ${PER_PROCESS}`,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly stepBacklog = new Gauge({
    name: 'oms_workflow_backlog_jobs',
    help: `Workflow jobs due now and not yet taken by a worker ${SYSTEM_WIDE}`,
    registers: [this.registry],
    aggregator: 'first',
  });

  private readonly incidentsOpen = new Gauge({
    name: 'oms_workflow_incidents_open',
    help: `Workflow incidents open (steps that failed after their retries, waiting for a person) ${SYSTEM_WIDE}`,
    registers: [this.registry],
    aggregator: 'first',
  });

  private readonly notificationQueue = new Gauge({
    name: 'oms_notification_queue_messages',
    help: `Outbox messages not sent, by status: pending (not tried yet or being sent), failed (a try failed, retried later), dead (given up on, its alert not yet resolved in the admin) ${SYSTEM_WIDE}`,
    labelNames: ['status'],
    registers: [this.registry],
    aggregator: 'first',
  });

  private readonly databaseUp = new Gauge({
    name: 'oms_database_up',
    help: `1 when the scrape-time read of PostgreSQL answered; 0 when it failed or took over ${DATABASE_READ_TIMEOUT_MS / 1000} s (the system-wide gauges are NaN then) ${PER_PROCESS}`,
    registers: [this.registry],
  });

  private readonly poolClients = new Gauge({
    name: 'oms_db_pool_clients',
    help: `The database pool: total and idle connections, and waiting (queries queued for a connection) ${PER_PROCESS}`,
    labelNames: ['state'],
    registers: [this.registry],
  });

  private readonly poolMax = new Gauge({
    name: 'oms_db_pool_max_clients',
    help: `The database pool's size: 1 on the embedded database (PGlite), where every query takes its turn ${PER_PROCESS}`,
    registers: [this.registry],
  });

  constructor(@InjectDataSource() private readonly db: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    // every series from the start, so that rate() and absent() work before the first event
    for (const outcome of STEP_OUTCOMES) this.steps.inc({ outcome }, 0);
  }

  orderAccepted(channel: string): void {
    if (!this.channels.has(channel) && this.channels.size < MAX_CHANNELS) this.channels.add(channel);
    this.ordersAccepted.inc({ channel: this.channels.has(channel) ? channel : 'other' });
  }

  intakeRefused(code: string): void {
    this.intakeRefusals.inc({ code });
  }

  stepFinished(outcome: StepOutcome, seconds: number): void {
    this.steps.inc({ outcome });
    this.stepSeconds.observe(seconds);
  }

  /** The Prometheus text exposition, with the system-wide gauges and the pool read now. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.readGauges();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async readGauges(): Promise<void> {
    const pool = poolUsage(this.db);
    this.poolClients.set({ state: 'total' }, pool.total);
    this.poolClients.set({ state: 'idle' }, pool.idle);
    this.poolClients.set({ state: 'waiting' }, pool.waiting);
    this.poolMax.set(pool.max);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_READ_TIMEOUT_MS} ms`)), DATABASE_READ_TIMEOUT_MS);
      });
      const depths = await Promise.race([readQueueDepths(this.db), timeout]);
      this.stepBacklog.set(depths.stepBacklog);
      this.incidentsOpen.set(depths.incidentsOpen);
      for (const status of NOTIFICATION_STATES) this.notificationQueue.set({ status }, depths.notifications[status]);
      this.databaseUp.set(1);
    } catch (error) {
      // unknown rather than stale: a last value would look like a healthy, quiet system
      this.logger.warn(`metrics: reading the queue depths failed: ${(error as Error).message}`);
      this.stepBacklog.set(Number.NaN);
      this.incidentsOpen.set(Number.NaN);
      for (const status of NOTIFICATION_STATES) this.notificationQueue.set({ status }, Number.NaN);
      this.databaseUp.set(0);
    } finally {
      clearTimeout(timer);
    }
  }
}
