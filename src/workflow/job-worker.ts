import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PrincipalsService } from '../auth/principals.service';
import type { Actor } from '../common/actor';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { isDatabaseUnavailable } from '../database/connection-errors';
import type { Queryable } from '../database/sql';
import { fenceTransaction } from '../database/transaction-fence';
import { backoffSeconds, WorkLoops } from '../database/work-loops';
import { MetricsService, type StepOutcome } from '../metrics/metrics.service';
import { NothingToTriggerError, runEngineStep, type StepTrigger, TaskFailedError, type TaskRun } from './engine-step';
import { type ClaimedJob, JobRepository, type LoadedInstance } from './job-repository';
import { JobWakeup } from './job-wakeup';
import { TaskTypeRegistry } from './task-type.registry';

/** A lookup made at most once, and only if asked for. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
}

/** Retry delay after the n-th failed attempt: 2 s, 4 s, 8 s ... capped at 5 minutes. */
export const retryDelaySeconds = (attempt: number) => backoffSeconds(attempt, { baseSeconds: 2, capSeconds: 300 });

/** The step's instance changed while it ran (terminated, migrated): its transaction is rolled back. */
class StepDroppedError extends Error {}

/**
 * Takes workflow jobs from PostgreSQL (FOR UPDATE SKIP LOCKED) and runs each as one engine step: claim → run to the next
 * wait with the handlers' effects → save, all in ONE transaction, which holds the job's and the instance's rows until it
 * ends. Any number of app processes can run this; one instance is stepped by one worker at a time, and a crash loses
 * nothing (PostgreSQL rolls the step back with its claim when the connection closes, and another worker repeats the step
 * from the last saved state at once).
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkflowWorker');
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly loops: WorkLoops;
  /** Claims and steps running in this process now. */
  private running = 0;
  private unsubscribe?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: TaskTypeRegistry,
    private readonly wakeup: JobWakeup,
    private readonly principals: PrincipalsService,
    private readonly jobs: JobRepository,
    private readonly metrics: MetricsService,
  ) {
    this.loops = new WorkLoops(this.logger, () => this.runNextJob(), config.WORKER_POLL_MS);
  }

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.start(this.config.WORKER_CONCURRENCY);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(concurrency: number): void {
    if (this.loops.started) return;
    this.unsubscribe = this.wakeup.subscribe(() => this.loops.wakeOne());
    this.loops.start(concurrency);
  }

  /** Stops claiming; a step running now finishes (and saves, or rolls back) first. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loops.stop();
  }

  /**
   * Claims one due job and runs it, claim and step in one transaction; `worked` false when there was nothing to do, `more`
   * when other jobs are due than the steps this process runs beside it (theirs are still pending): then another loop may
   * find one. On one process that is exact; with several, a loop may look once in vain.
   */
  async runNextJob(): Promise<{ worked: boolean; more?: boolean }> {
    const runner = this.db.createQueryRunner();
    this.running++;
    try {
      const claimed = await this.jobs.claim(runner);
      if (!claimed) return { worked: false };
      const more = claimed.dueOthers > this.running - 1;
      const started = performance.now();
      const { outcome, queued } = await this.run(runner, claimed.job, claimed.instance);
      if (outcome !== 'cut off') {
        await runner.commitTransaction();
        if (queued > 0) this.wakeup.announce();
      }
      this.metrics.stepFinished(outcome === 'cut off' ? 'failed' : outcome, (performance.now() - started) / 1000);
      return { worked: true, more };
    } finally {
      this.running--;
      // nothing claimed, or cut off by a lost connection: whatever is still open is rolled back
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * Runs the claimed job in the claim's transaction (`runner`'s). A step that fails is rolled back to its claim and what
   * that means for its job (a retry, an incident) is written in the same transaction, for the caller to commit.
   */
  private async run(runner: QueryRunner, job: ClaimedJob, instance: LoadedInstance): Promise<{ outcome: StepOutcome | 'cut off'; queued: number }> {
    // started already, or a message already delivered or discarded (read with the claim): nothing more to do
    if ((job.kind === 'start' && instance.state) || (job.kind === 'message' && !job.message)) {
      await this.jobs.finishWithoutStep(runner.manager, job);
      return { outcome: 'skipped', queued: 0 };
    }
    // a handler still running when the step times out or fails must not write after the rollback (transaction-fence.ts)
    const fence = fenceTransaction(runner.manager);
    const runs: TaskRun[] = [];
    try {
      const { queued } = await this.runStep(runner.manager, job, instance, runs);
      return { outcome: 'saved', queued };
    } catch (error) {
      fence.close();
      if (isDatabaseUnavailable(error)) {
        // cut off by a lost connection, not the step's own failure: PostgreSQL rolls the step back with its claim, so no
        // attempt is used up (an outage would end in incidents) and the job is due again as soon as the database
        // answers. When the COMMIT took effect and only its answer was lost, the job is done.
        this.logger.warn(`job ${job.id} (${job.kind}) of instance ${instance.id} was cut off by a lost database connection; it runs again when the database answers`);
        return { outcome: 'cut off', queued: 0 };
      }
      await this.jobs.rollbackToClaim(fence.owner);
      return { outcome: await this.afterRollback(fence.owner, job, instance, runs, error), queued: 0 };
    } finally {
      fence.close();
    }
  }

  /** A step rolled back to its claim: what that means for its job, written in the claim's transaction (`step`). */
  private async afterRollback(step: Queryable, job: ClaimedJob, instance: LoadedInstance, runs: TaskRun[], error: unknown): Promise<StepOutcome> {
    // the handler calls of a step that did not save are logged on their own (a repeat stays visible)
    await this.jobs.logTaskRuns(step, instance.id, this.workerId, runs);
    // the message stays buffered; a fired or cancelled timer, or a finished task, needs nothing more
    if (error instanceof NothingToTriggerError) {
      await this.jobs.finishWithoutStep(step, job);
      return 'skipped';
    }
    if (error instanceof StepDroppedError) {
      // someone else changed the instance meanwhile (terminated, migrated): the job stays for a later try
      this.logger.warn(error.message);
      await this.jobs.retryLater(step, job, 'the instance changed while this step ran', 1, { countAttempt: false });
      return 'dropped';
    }
    return await this.fail(step, job, instance, error as Error);
  }

  /** The step itself, in its transaction: the engine from the last saved wait to the next one, then the save. */
  private async runStep(manager: EntityManager, job: ClaimedJob, instance: LoadedInstance, runs: TaskRun[]): Promise<{ saved: boolean; queued: number }> {
    // every read of the step goes through its transaction: the embedded database has one connection, which the step holds
    const principal = once(() => this.principals.actorOf({ kind: instance.started_by_kind, id: instance.started_by_id ?? '', name: instance.started_by }, manager));
    const result = await runEngineStep(
      {
        instanceId: instance.id,
        businessKey: instance.business_key,
        state: instance.state ?? undefined,
        definitionId: instance.definition_id,
        xml: () => this.jobs.definitionXml(manager, instance.definition_id),
        variables: instance.variables,
        trigger: triggerOf(job),
        timeoutMs: Math.max(1000, this.config.WORKER_LEASE_SECONDS * 1000 - 500),
        manager,
        principal,
        completerOf: (elementId) => this.completerOf(manager, instance.id, elementId),
        crashAfterTask: this.config.FAULT_CRASH_AFTER_TASK,
        onTaskRun: async (run) => void runs.push(run),
      },
      this.registry,
    );
    const saved = await this.jobs.save(manager, this.workerId, job, instance, result, runs);
    if (!saved.saved) throw new StepDroppedError(`instance ${instance.id} changed during job ${job.id}; its step was rolled back`);
    return saved;
  }

  /** Who completed the instance's latest task at this element, with their permissions now. */
  private async completerOf(manager: EntityManager, instanceId: string, elementId: string): Promise<Actor | undefined> {
    const completer = await this.jobs.completerOf(manager, instanceId, elementId);
    return completer ? this.principals.actorOf(completer, manager) : undefined;
  }

  /** A failed step: retry later with backoff, or, when the retries are used up, an incident on the instance. */
  private async fail(step: Queryable, job: ClaimedJob, instance: LoadedInstance, error: Error): Promise<'failed' | 'incident'> {
    const maxAttempts = error instanceof TaskFailedError && error.retries !== undefined ? error.retries : job.max_attempts;
    const exhausted = job.attempts >= maxAttempts;
    this.logger.warn(`job ${job.id} (${job.kind}) of instance ${instance.id} failed, attempt ${job.attempts}/${maxAttempts}: ${error.message}`);
    if (!exhausted) {
      await this.jobs.retryLater(step, job, error.message, retryDelaySeconds(job.attempts), { countAttempt: true });
      return 'failed';
    }
    const elementId = error instanceof TaskFailedError ? error.elementId : (/^<([^>]+)>/.exec(error.message)?.[1] ?? null);
    await this.jobs.failToIncident(step, job, instance, error.message, elementId);
    return 'incident';
  }
}

/** What moves the instance on in this step; a start or resume job has none. */
function triggerOf(job: ClaimedJob): StepTrigger | undefined {
  switch (job.kind) {
    case 'message':
      return { kind: 'message', name: job.message!.name, payload: job.message!.payload };
    case 'timer':
      return { kind: 'timer', executionId: job.payload.executionId! };
    case 'signal':
      return { kind: 'signal', elementId: job.payload.elementId!, executionId: job.payload.executionId!, variables: job.payload.variables ?? {} };
    default:
      return undefined;
  }
}
