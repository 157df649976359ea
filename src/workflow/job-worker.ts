import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../database/sql';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { NothingToTriggerError, runEngineStep, type StepResult, type StepTrigger, TaskFailedError, type TaskRun } from './engine-step';
import { JobWakeup } from './job-wakeup';
import { TaskTypeRegistry } from './task-type.registry';

interface ClaimedJob {
  id: string;
  instance_id: string;
  kind: 'start' | 'resume' | 'message' | 'timer' | 'signal';
  payload: { messageId?: string; executionId?: string; elementId?: string; variables?: Record<string, unknown> };
  attempts: number;
  max_attempts: number;
}

interface LoadedInstance {
  id: string;
  business_key: string | null;
  state: unknown;
  variables: Record<string, unknown>;
  version: number;
  xml: string;
}

/** Retry delay after the n-th failed attempt: 2 s, 4 s, 8 s ... capped at 5 minutes. */
export const retryDelaySeconds = (attempt: number) => Math.min(300, 2 ** attempt);

/**
 * Takes workflow jobs from PostgreSQL (FOR UPDATE SKIP LOCKED) and runs each as one engine step:
 * load -> resume -> run to the next wait -> save, under a lease on the instance. Any number of app
 * processes can run this; one instance is stepped by one worker at a time, and a crash loses nothing
 * (the lease expires and another worker repeats the step from the last saved state).
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkflowWorker');
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private sleepers = new Set<() => void>();
  private unsubscribe?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: TaskTypeRegistry,
    private readonly wakeup: JobWakeup,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.WORKER_CONCURRENCY > 0) this.start(this.config.WORKER_CONCURRENCY);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(concurrency: number): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.wakeup.subscribe(() => this.wakeAll());
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wakeAll();
    await Promise.all(this.loops.splice(0));
  }

  private wakeAll(): void {
    for (const wake of this.sleepers) wake();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runNextJob();
      } catch (error) {
        this.logger.error(`job loop: ${(error as Error).stack ?? error}`);
      }
      if (!worked && this.running) await this.sleep(this.config.WORKER_POLL_MS);
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

  /** Claims one due job and runs it; false when there was nothing to do. */
  async runNextJob(): Promise<boolean> {
    const job = await this.claim();
    if (!job) return false;
    await this.run(job);
    return true;
  }

  private async claim(): Promise<ClaimedJob | undefined> {
    // one statement: pick a due job whose instance nobody holds, lease the instance, count the attempt
    return queryOne<ClaimedJob>(
      this.db,
      `WITH next AS (
         SELECT j.id, j.instance_id FROM workflow_job j JOIN process_instance p ON p.id = j.instance_id
          WHERE j.status = 'pending' AND j.run_at <= now()
            AND p.status IN ('running','waiting') AND (p.lease_until IS NULL OR p.lease_until < now())
          ORDER BY j.run_at, j.id
          LIMIT 1
          FOR UPDATE OF j, p SKIP LOCKED
       ), leased AS (
         UPDATE process_instance p SET lease_owner = $1, lease_until = now() + make_interval(secs => $2)
           FROM next WHERE p.id = next.instance_id RETURNING p.id
       )
       UPDATE workflow_job j SET attempts = j.attempts + 1
         FROM next, leased WHERE j.id = next.id AND leased.id = next.instance_id
       RETURNING j.id, j.instance_id, j.kind, j.payload, j.attempts, j.max_attempts`,
      [this.workerId, this.config.WORKER_LEASE_SECONDS],
    );
  }

  private async run(job: ClaimedJob): Promise<void> {
    const [instance]: LoadedInstance[] = await this.db.query(
      `SELECT i.id, i.business_key, i.state, i.variables, i.version, d.xml
         FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id WHERE i.id = $1`,
      [job.instance_id],
    );
    let message: { id: string; name: string; payload: Record<string, unknown> } | undefined;
    try {
      if (job.kind === 'start' && instance.state) return await this.finishWithoutStep(job, instance); // started already
      let trigger: StepTrigger | undefined;
      if (job.kind === 'message') {
        [message] = await this.db.query(`SELECT id, name, payload FROM workflow_message WHERE id = $1 AND status = 'buffered'`, [job.payload.messageId]);
        if (!message) return await this.finishWithoutStep(job, instance); // already delivered or discarded
        trigger = { kind: 'message', name: message.name, payload: message.payload };
      }
      if (job.kind === 'timer') trigger = { kind: 'timer', executionId: job.payload.executionId! };
      if (job.kind === 'signal') {
        trigger = { kind: 'signal', elementId: job.payload.elementId!, executionId: job.payload.executionId!, variables: job.payload.variables ?? {} };
      }
      const result = await runEngineStep(
        {
          instanceId: instance.id,
          businessKey: instance.business_key,
          state: instance.state ?? undefined,
          xml: instance.xml,
          variables: instance.variables,
          trigger,
          timeoutMs: Math.max(1000, this.config.WORKER_LEASE_SECONDS * 1000 - 500),
          crashAfterTask: this.config.FAULT_CRASH_AFTER_TASK,
          onTaskRun: (run) => this.logTaskRun(instance.id, run),
        },
        this.registry,
      );
      await this.save(job, instance, result, message?.id);
    } catch (error) {
      // the message stays buffered; a fired or cancelled timer, or a finished task, needs nothing more
      if (error instanceof NothingToTriggerError) return await this.finishWithoutStep(job, instance);
      await this.fail(job, instance, error as Error);
    }
  }

  private async logTaskRun(instanceId: string, run: TaskRun): Promise<void> {
    await this.db.query(
      `INSERT INTO task_execution (instance_id, element_id, execution_id, task_type, worker, outcome, error, started_at, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [instanceId, run.elementId, run.executionId, run.taskType, this.workerId, run.error ? 'failed' : 'completed', run.error ?? null, run.startedAt, run.durationMs],
    );
  }

  /** Saves the step: state, waits, history, the job done, the message delivered, and any buffered message now awaited. */
  private async save(job: ClaimedJob, instance: LoadedInstance, result: StepResult, deliveredMessageId?: string): Promise<void> {
    const saved = await this.db.transaction(async (manager) => {
      const updated = await queryRows(
        manager,
        `UPDATE process_instance SET state = $3, variables = $4, waiting = $5, status = $6::varchar, version = version + 1,
                lease_owner = NULL, lease_until = NULL, updated_at = now(), ended_at = CASE WHEN $6::varchar = 'completed' THEN now() END
          WHERE id = $1 AND version = $2 AND lease_owner = $7 RETURNING id`,
        [
          instance.id, instance.version, JSON.stringify(result.state), JSON.stringify(result.variables), JSON.stringify(result.waiting),
          result.completed ? 'completed' : 'waiting', this.workerId,
        ],
      );
      if (updated.length === 0) return false;
      for (const event of result.history) {
        if (event.kind === 'enter') {
          await manager.query(
            `INSERT INTO process_activity (instance_id, element_id, element_type, name, execution_id, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (instance_id, execution_id) DO NOTHING`,
            [instance.id, event.elementId, event.elementType, event.name, event.executionId, event.at],
          );
        } else {
          await manager.query(
            `UPDATE process_activity SET left_at = $3 WHERE id = (
               SELECT id FROM process_activity WHERE instance_id = $1 AND element_id = $2 AND left_at IS NULL ORDER BY entered_at, id LIMIT 1)`,
            [instance.id, event.elementId, event.at],
          );
        }
      }
      await manager.query(`UPDATE workflow_job SET status = 'done', finished_at = now(), last_error = NULL WHERE id = $1`, [job.id]);
      if (deliveredMessageId) {
        await manager.query(`UPDATE workflow_message SET status = 'delivered', delivered_at = now(), instance_id = $2 WHERE id = $1`, [deliveredMessageId, instance.id]);
      }
      await this.syncTimers(manager, instance.id, job.id, result);
      await this.syncUserTasks(manager, instance, result);
      if (result.completed) {
        // nothing will ever wait for what is still buffered for this instance
        await manager.query(`UPDATE workflow_message SET status = 'discarded' WHERE instance_id = $1 AND status = 'buffered'`, [instance.id]);
      } else {
        await this.queueBufferedMessage(manager, instance, result);
      }
      return true;
    });
    if (!saved) {
      // someone else changed the instance meanwhile (terminated, or our lease ran out): the job stays for a later try
      this.logger.warn(`instance ${instance.id} changed during job ${job.id}; its result was dropped`);
      await this.releaseLease(job, instance, 'the instance changed while this step ran', 1);
    } else {
      this.wakeup.wake();
    }
  }

  /** Durable timers: one pending timer job per waiting timer, due at its expiry; timers that no longer wait are dropped. */
  private async syncTimers(manager: EntityManager, instanceId: string, currentJobId: string, result: StepResult): Promise<void> {
    const active = result.timers.map((timer) => timer.executionId);
    await manager.query(
      `UPDATE workflow_job SET status = 'cancelled', finished_at = now()
        WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending' AND id <> $2 AND NOT (payload->>'executionId' = ANY($3))`,
      [instanceId, currentJobId, active],
    );
    for (const timer of result.timers) {
      await manager.query(
        `INSERT INTO workflow_job (instance_id, kind, payload, run_at)
         SELECT $1, 'timer', $2, $3 WHERE NOT EXISTS (
           SELECT 1 FROM workflow_job WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending' AND payload->>'executionId' = $4)`,
        [instanceId, JSON.stringify({ executionId: timer.executionId, elementId: timer.elementId }), timer.expireAt, timer.executionId],
      );
    }
  }

  /** The tasklist: an open task per waiting user task; tasks whose element stopped waiting (a boundary timer) are cancelled. */
  private async syncUserTasks(manager: EntityManager, instance: LoadedInstance, result: StepResult): Promise<void> {
    const waitingTasks = result.waiting.filter((wait) => wait.type === 'bpmn:UserTask');
    await manager.query(
      `UPDATE user_task SET status = 'cancelled' WHERE instance_id = $1 AND status IN ('open','claimed') AND NOT (execution_id = ANY($2))`,
      [instance.id, waitingTasks.map((task) => task.executionId)],
    );
    for (const task of waitingTasks) {
      await manager.query(
        `INSERT INTO user_task (instance_id, element_id, execution_id, name, business_key, candidate_roles, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (instance_id, execution_id) DO NOTHING`,
        [instance.id, task.elementId, task.executionId, task.name ?? task.elementId, instance.business_key, task.candidateRoles ?? [], dueAtOf(task.dueIn, task.dueDate)],
      );
    }
  }

  private async queueBufferedMessage(manager: EntityManager, instance: LoadedInstance, result: StepResult): Promise<void> {
    const awaited = result.waiting.map((wait) => wait.messageName).filter((name): name is string => Boolean(name));
    if (!instance.business_key || awaited.length === 0) return;
    const [buffered] = await manager.query(
      `SELECT id FROM workflow_message WHERE business_key = $1 AND status = 'buffered' AND name = ANY($2)
          AND (instance_id IS NULL OR instance_id = $3) ORDER BY id LIMIT 1`,
      [instance.business_key, awaited, instance.id],
    );
    if (!buffered) return;
    await manager.query(
      `INSERT INTO workflow_job (instance_id, kind, payload)
       SELECT $1, 'message', $2 WHERE NOT EXISTS (
         SELECT 1 FROM workflow_job WHERE instance_id = $1 AND status = 'pending' AND kind = 'message' AND payload->>'messageId' = $3)`,
      [instance.id, JSON.stringify({ messageId: String(buffered.id) }), String(buffered.id)],
    );
  }

  private async finishWithoutStep(job: ClaimedJob, instance: LoadedInstance): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE workflow_job SET status = 'done', finished_at = now() WHERE id = $1`, [job.id]);
      await manager.query(`UPDATE process_instance SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [instance.id, this.workerId]);
    });
  }

  /** A failed step: retry later with backoff, or, when the retries are used up, an incident on the instance. */
  private async fail(job: ClaimedJob, instance: LoadedInstance, error: Error): Promise<void> {
    const maxAttempts = error instanceof TaskFailedError && error.retries !== undefined ? error.retries : job.max_attempts;
    const exhausted = job.attempts >= maxAttempts;
    this.logger.warn(`job ${job.id} (${job.kind}) of instance ${instance.id} failed, attempt ${job.attempts}/${maxAttempts}: ${error.message}`);
    if (!exhausted) return this.releaseLease(job, instance, error.message, retryDelaySeconds(job.attempts));
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE workflow_job SET status = 'failed', finished_at = now(), last_error = $2 WHERE id = $1`, [job.id, error.message]);
      await manager.query(
        `UPDATE process_instance SET status = 'incident', lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = $1 AND lease_owner = $2`,
        [instance.id, this.workerId],
      );
      const elementId = error instanceof TaskFailedError ? error.elementId : (/^<([^>]+)>/.exec(error.message)?.[1] ?? null);
      await manager.query(`INSERT INTO incident (instance_id, job_id, element_id, message) VALUES ($1, $2, $3, $4)`, [instance.id, job.id, elementId, error.message]);
    });
  }

  private async releaseLease(job: ClaimedJob, instance: LoadedInstance, reason: string, delaySeconds: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE workflow_job SET run_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1 AND status = 'pending'`, [
        job.id, delaySeconds, reason,
      ]);
      await manager.query(`UPDATE process_instance SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [instance.id, this.workerId]);
    });
  }
}

/** A user task's due time: `oms:dueIn` as an ISO 8601 duration from now (PT4H, P2D), or an absolute date. */
export function dueAtOf(dueIn: string | undefined, dueDate: string | undefined): Date | null {
  if (dueDate && !Number.isNaN(Date.parse(dueDate))) return new Date(dueDate);
  const match = dueIn ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(dueIn) : null;
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return new Date(Date.now() + (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}
