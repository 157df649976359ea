import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../database/sql';
import { PrincipalsService } from '../auth/principals.service';
import type { Actor, PrincipalRef } from '../common/actor';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { NothingToTriggerError, runEngineStep, type StepResult, type StepTrigger, TaskFailedError, type TaskRun } from './engine-step';
import { JobWakeup } from './job-wakeup';
import { historyRows } from './step-history';
import { TaskTypeRegistry } from './task-type.registry';

/** A claimed job with the instance it steps (one statement claims, leases and loads both). */
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
  definition_id: string;
  /** Who the instance runs as (process_instance.started_by*). */
  started_by_kind: PrincipalRef['kind'];
  started_by_id: string | null;
  started_by: string;
  /** History rows entered in earlier steps and not left yet, per element: what a leave in this step closes first. */
  open_activities: Record<string, number>;
}

type ClaimedRow = ClaimedJob & Omit<LoadedInstance, 'id'>;

/** A lookup made at most once, and only if asked for. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
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
    private readonly principals: PrincipalsService,
  ) {}

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.start(this.config.WORKER_CONCURRENCY);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(concurrency: number): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.wakeup.subscribe(() => this.wakeOne());
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    for (const wake of [...this.sleepers]) wake();
    await Promise.all(this.loops.splice(0));
  }

  /**
   * A job was queued: one sleeping loop looks for it (a loop that finds work keeps looking until the queue is empty).
   * Waking every loop for every job made each of them run a claim that found nothing.
   */
  private wakeOne(): void {
    const [wake] = this.sleepers;
    wake?.();
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
    const claimed = await this.claim();
    if (!claimed) return false;
    const { id, instance_id, kind, payload, attempts, max_attempts, ...instance } = claimed;
    await this.run({ id, instance_id, kind, payload, attempts, max_attempts }, { id: instance_id, ...instance });
    return true;
  }

  private claim(): Promise<ClaimedRow | undefined> {
    // one statement: pick a due job whose instance nobody holds, lease the instance, count the attempt, and return
    // what the step needs of the instance (its state, variables, version, diagram and open history rows)
    return queryOne<ClaimedRow>(
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
           FROM next WHERE p.id = next.instance_id
         RETURNING p.id, p.business_key, p.state, p.variables, p.version, p.definition_id, p.started_by_kind, p.started_by_id, p.started_by
       )
       UPDATE workflow_job j SET attempts = j.attempts + 1
         FROM next, leased WHERE j.id = next.id AND leased.id = next.instance_id
       RETURNING j.id, j.instance_id, j.kind, j.payload, j.attempts, j.max_attempts,
                 leased.business_key, leased.state, leased.variables, leased.version, leased.definition_id,
                 leased.started_by_kind, leased.started_by_id, leased.started_by,
                 (SELECT coalesce(jsonb_object_agg(o.element_id, o.n), '{}') FROM (
                    SELECT a.element_id, count(*) AS n FROM process_activity a
                     WHERE a.instance_id = leased.id AND a.left_at IS NULL GROUP BY a.element_id) o) AS open_activities`,
      [this.workerId, this.config.WORKER_LEASE_SECONDS],
    );
  }

  private async run(job: ClaimedJob, instance: LoadedInstance): Promise<void> {
    let message: { id: string; name: string; payload: Record<string, unknown> } | undefined;
    const runs: TaskRun[] = [];
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
          definitionId: instance.definition_id,
          xml: () => this.definitionXml(instance.definition_id),
          variables: instance.variables,
          trigger,
          timeoutMs: Math.max(1000, this.config.WORKER_LEASE_SECONDS * 1000 - 500),
          principal: once(() => this.principals.actorOf({ kind: instance.started_by_kind, id: instance.started_by_id ?? '', name: instance.started_by })),
          completerOf: (elementId) => this.completerOf(instance.id, elementId),
          crashAfterTask: this.config.FAULT_CRASH_AFTER_TASK,
          onTaskRun: async (run) => void runs.push(run),
        },
        this.registry,
      );
      await this.save(job, instance, result, runs, message?.id);
    } catch (error) {
      // the handler calls of a step that did not save are logged on their own (a repeat stays visible)
      await this.logTaskRuns(instance.id, runs).catch((logError: Error) => this.logger.warn(`task execution log of job ${job.id}: ${logError.message}`));
      // the message stays buffered; a fired or cancelled timer, or a finished task, needs nothing more
      if (error instanceof NothingToTriggerError) return await this.finishWithoutStep(job, instance);
      await this.fail(job, instance, error as Error);
    }
  }

  /** Who completed the instance's latest task at this element, as authenticated when they did (never a process variable). */
  private async completerOf(instanceId: string, elementId: string): Promise<Actor | undefined> {
    const [task] = await this.db.query(
      `SELECT completed_by_kind AS kind, completed_by_id AS id, completed_by AS name FROM user_task
        WHERE instance_id = $1 AND element_id = $2 AND status = 'completed' AND completed_by_kind IS NOT NULL
        ORDER BY completed_at DESC LIMIT 1`,
      [instanceId, elementId],
    );
    return task ? this.principals.actorOf(task) : undefined;
  }

  private async definitionXml(definitionId: string): Promise<string> {
    const [definition] = await this.db.query(`SELECT xml FROM workflow_definition WHERE id = $1`, [definitionId]);
    if (!definition) throw new Error(`workflow definition ${definitionId} does not exist`);
    return definition.xml;
  }

  /** The task execution log: every handler call that ended, by whom, how long, with what outcome. */
  private async logTaskRuns(instanceId: string, runs: TaskRun[]): Promise<void> {
    if (runs.length === 0) return;
    await this.db.query(
      `INSERT INTO task_execution (instance_id, element_id, execution_id, task_type, worker, outcome, error, started_at, duration_ms)
       SELECT $1, r.element_id, r.execution_id, r.task_type, $2, r.outcome, r.error, r.started_at, r.duration_ms FROM ${taskRunsFrom('$3')}`,
      [instanceId, this.workerId, taskRunsJson(runs)],
    );
  }

  /**
   * Saves the step in ONE statement (one round trip, one transaction): state, waits, history, the task execution log,
   * the job done, the message delivered, timers and user tasks in line with the waits, and the next buffered message now
   * awaited. Every part runs only when the instance row is still ours (version and lease); otherwise nothing is written.
   * The parts see the database as it was before the statement, hence the exclusions of the current job and message.
   */
  private async save(job: ClaimedJob, instance: LoadedInstance, result: StepResult, runs: TaskRun[], deliveredMessageId?: string): Promise<void> {
    const userTasks = result.waiting
      .filter((wait) => wait.type === 'bpmn:UserTask')
      .map((task) => ({
        element_id: task.elementId,
        execution_id: task.executionId,
        name: task.name ?? task.elementId,
        candidate_roles: task.candidateRoles ?? [],
        due_at: dueAtOf(task.dueIn, task.dueDate),
        form_fields: task.formFields ?? [],
      }));
    const timers = result.timers.map((timer) => ({ execution_id: timer.executionId, element_id: timer.elementId, expire_at: timer.expireAt }));
    const awaitedMessages = result.waiting.map((wait) => wait.messageName).filter((name): name is string => Boolean(name));
    const { entered, leftEarlier } = historyRows(result.history, instance.open_activities ?? {});
    const [row] = await queryRows<{ saved: boolean; queued: number }>(
      this.db,
      `WITH instance AS (
         UPDATE process_instance SET state = $3, variables = $4, waiting = $5, status = $6::varchar, version = version + 1,
                lease_owner = NULL, lease_until = NULL, updated_at = now(), ended_at = CASE WHEN $6::varchar = 'completed' THEN now() END
          WHERE id = $1 AND version = $2 AND lease_owner = $7 RETURNING id, business_key
       ), entered AS (
         INSERT INTO process_activity (instance_id, element_id, element_type, name, execution_id, entered_at, left_at)
         SELECT instance.id, e.element_id, e.element_type, e.name, e.execution_id, e.entered_at, e.left_at
           FROM instance, jsonb_to_recordset($10::jsonb) AS e(element_id text, element_type text, name text, execution_id text, entered_at timestamptz, left_at timestamptz)
         ON CONFLICT (instance_id, execution_id) DO NOTHING
       ), left_earlier AS (
         -- a leave closes the element's oldest open entry: the rank-th open row of its element, oldest first
         UPDATE process_activity a SET left_at = l.left_at
           FROM (SELECT o.id, o.element_id, row_number() OVER (PARTITION BY o.element_id ORDER BY o.entered_at, o.id) AS rank
                   FROM process_activity o WHERE o.instance_id = $1 AND o.left_at IS NULL) o,
                jsonb_to_recordset($11::jsonb) AS l(element_id text, rank int, left_at timestamptz)
          WHERE a.id = o.id AND o.element_id = l.element_id AND o.rank = l.rank AND EXISTS (SELECT 1 FROM instance)
       ), runs AS (
         INSERT INTO task_execution (instance_id, element_id, execution_id, task_type, worker, outcome, error, started_at, duration_ms)
         SELECT instance.id, r.element_id, r.execution_id, r.task_type, $7, r.outcome, r.error, r.started_at, r.duration_ms FROM instance, ${taskRunsFrom('$12')}
       ), job AS (
         UPDATE workflow_job SET status = 'done', finished_at = now(), last_error = NULL WHERE id = $8 AND EXISTS (SELECT 1 FROM instance)
       ), delivered AS (
         UPDATE workflow_message SET status = 'delivered', delivered_at = now(), instance_id = $1 WHERE id = $9 AND EXISTS (SELECT 1 FROM instance)
       ), timers AS (
         SELECT t.execution_id, t.element_id, t.expire_at FROM jsonb_to_recordset($13::jsonb) AS t(execution_id text, element_id text, expire_at timestamptz)
       ), timers_dropped AS (
         -- durable timers: one pending timer job per waiting timer; timers that no longer wait are dropped
         UPDATE workflow_job SET status = 'cancelled', finished_at = now()
          WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending' AND id <> $8
            AND NOT (payload->>'executionId' = ANY(ARRAY(SELECT execution_id FROM timers))) AND EXISTS (SELECT 1 FROM instance)
       ), timers_added AS (
         INSERT INTO workflow_job (instance_id, kind, payload, run_at)
         SELECT instance.id, 'timer', jsonb_build_object('executionId', t.execution_id, 'elementId', t.element_id), t.expire_at
           FROM instance, timers t
          WHERE NOT EXISTS (SELECT 1 FROM workflow_job w WHERE w.instance_id = $1 AND w.kind = 'timer' AND w.status = 'pending' AND w.id <> $8
                               AND w.payload->>'executionId' = t.execution_id)
         RETURNING id
       ), tasks AS (
         SELECT t.element_id, t.execution_id, t.name, t.candidate_roles, t.due_at, t.form_fields
           FROM jsonb_to_recordset($14::jsonb) AS t(element_id text, execution_id text, name text, candidate_roles jsonb, due_at timestamptz, form_fields jsonb)
       ), tasks_dropped AS (
         -- the tasklist: an open task per waiting user task; tasks whose element stopped waiting (a boundary timer) are cancelled
         UPDATE user_task SET status = 'cancelled'
          WHERE instance_id = $1 AND status IN ('open','claimed') AND NOT (execution_id = ANY(ARRAY(SELECT execution_id FROM tasks)))
            AND EXISTS (SELECT 1 FROM instance)
       ), tasks_added AS (
         INSERT INTO user_task (instance_id, element_id, execution_id, name, business_key, candidate_roles, due_at, form_fields)
         SELECT instance.id, t.element_id, t.execution_id, t.name, instance.business_key, ARRAY(SELECT jsonb_array_elements_text(t.candidate_roles)), t.due_at,
                coalesce(t.form_fields, '[]')
           FROM instance, tasks t
         ON CONFLICT (instance_id, execution_id) DO NOTHING
       ), discarded AS (
         -- an ended instance: nothing will ever wait for what is still buffered for it
         UPDATE workflow_message SET status = 'discarded'
          WHERE $6::varchar = 'completed' AND instance_id = $1 AND status = 'buffered' AND id IS DISTINCT FROM $9::bigint AND EXISTS (SELECT 1 FROM instance)
       ), next_message AS (
         -- a waiting instance: the oldest message buffered for one of its waits is delivered next
         SELECT m.id FROM workflow_message m, instance
          WHERE $6::varchar <> 'completed' AND m.business_key = instance.business_key AND m.status = 'buffered' AND m.name = ANY($15::text[])
            AND (m.instance_id IS NULL OR m.instance_id = $1) AND m.id IS DISTINCT FROM $9::bigint
          ORDER BY m.id LIMIT 1
       ), message_queued AS (
         INSERT INTO workflow_job (instance_id, kind, payload)
         SELECT $1, 'message', jsonb_build_object('messageId', m.id::text) FROM next_message m
          WHERE NOT EXISTS (SELECT 1 FROM workflow_job w WHERE w.instance_id = $1 AND w.status = 'pending' AND w.kind = 'message' AND w.payload->>'messageId' = m.id::text)
         RETURNING id
       )
       SELECT EXISTS (SELECT 1 FROM instance) AS saved, (SELECT count(*) FROM timers_added)::int + (SELECT count(*) FROM message_queued)::int AS queued`,
      [
        instance.id, instance.version, JSON.stringify(result.state), JSON.stringify(result.variables), JSON.stringify(result.waiting),
        result.completed ? 'completed' : 'waiting', this.workerId, job.id, deliveredMessageId ?? null,
        JSON.stringify(entered), JSON.stringify(leftEarlier), taskRunsJson(runs), JSON.stringify(timers), JSON.stringify(userTasks), awaitedMessages,
      ],
    );
    if (!row.saved) {
      // someone else changed the instance meanwhile (terminated, or our lease ran out): the job stays for a later try
      this.logger.warn(`instance ${instance.id} changed during job ${job.id}; its result was dropped`);
      await this.logTaskRuns(instance.id, runs);
      await this.releaseLease(job, instance, 'the instance changed while this step ran', 1);
    } else if (row.queued > 0) {
      this.wakeup.wake();
    }
  }

  private async finishWithoutStep(job: ClaimedJob, instance: LoadedInstance): Promise<void> {
    await this.db.query(
      `WITH job AS (UPDATE workflow_job SET status = 'done', finished_at = now() WHERE id = $1)
       UPDATE process_instance SET lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3`,
      [job.id, instance.id, this.workerId],
    );
  }

  /** A failed step: retry later with backoff, or, when the retries are used up, an incident on the instance. */
  private async fail(job: ClaimedJob, instance: LoadedInstance, error: Error): Promise<void> {
    const maxAttempts = error instanceof TaskFailedError && error.retries !== undefined ? error.retries : job.max_attempts;
    const exhausted = job.attempts >= maxAttempts;
    this.logger.warn(`job ${job.id} (${job.kind}) of instance ${instance.id} failed, attempt ${job.attempts}/${maxAttempts}: ${error.message}`);
    if (!exhausted) return this.releaseLease(job, instance, error.message, retryDelaySeconds(job.attempts));
    const elementId = error instanceof TaskFailedError ? error.elementId : (/^<([^>]+)>/.exec(error.message)?.[1] ?? null);
    await this.db.query(
      `WITH job AS (
         UPDATE workflow_job SET status = 'failed', finished_at = now(), last_error = $3 WHERE id = $1
       ), instance AS (
         UPDATE process_instance SET status = 'incident', lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE id = $2 AND lease_owner = $4
       )
       INSERT INTO incident (instance_id, job_id, element_id, message) VALUES ($2, $1, $5, $3)`,
      [job.id, instance.id, error.message, this.workerId, elementId],
    );
  }

  private async releaseLease(job: ClaimedJob, instance: LoadedInstance, reason: string, delaySeconds: number): Promise<void> {
    await this.db.query(
      `WITH job AS (
         UPDATE workflow_job SET run_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1 AND status = 'pending'
       )
       UPDATE process_instance SET lease_owner = NULL, lease_until = NULL WHERE id = $4 AND lease_owner = $5`,
      [job.id, delaySeconds, reason, instance.id, this.workerId],
    );
  }
}

/** Task runs passed as one jsonb parameter (taskRunsJson), read back as rows `r`. */
const taskRunsFrom = (parameter: string) =>
  `jsonb_to_recordset(${parameter}::jsonb) AS r(element_id text, execution_id text, task_type text, outcome text, error text, started_at timestamptz, duration_ms int)`;

const taskRunsJson = (runs: TaskRun[]) =>
  JSON.stringify(
    runs.map((run) => ({
      element_id: run.elementId,
      execution_id: run.executionId,
      task_type: run.taskType,
      outcome: run.error ? 'failed' : 'completed',
      error: run.error ?? null,
      started_at: run.startedAt,
      duration_ms: run.durationMs,
    })),
  );

/** A user task's due time: `oms:dueIn` as an ISO 8601 duration from now (PT4H, P2D), or an absolute date. */
export function dueAtOf(dueIn: string | undefined, dueDate: string | undefined): Date | null {
  if (dueDate && !Number.isNaN(Date.parse(dueDate))) return new Date(dueDate);
  const match = dueIn ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(dueIn) : null;
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return new Date(Date.now() + (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}
