import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { PrincipalRef } from '../common/actor';
import { type Queryable, queryOne, queryRows, startTransactionWith } from '../database/sql';
import { dueAtOf } from './due-at';
import type { StepResult, TaskRun } from './engine-step';
import { historyRows } from './step-history';

/** A claimed job with the instance it steps (one statement claims the one and loads both). */
export interface ClaimedJob {
  id: string;
  instance_id: string;
  kind: 'start' | 'resume' | 'message' | 'timer' | 'signal';
  payload: { messageId?: string; executionId?: string; elementId?: string; variables?: Record<string, unknown> };
  attempts: number;
  max_attempts: number;
  /** A message job's message, while it is still buffered (null once delivered or discarded). */
  message: { id: string; name: string; payload: Record<string, unknown> } | null;
}

export interface LoadedInstance {
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

type ClaimedRow = ClaimedJob & Omit<LoadedInstance, 'id'> & { due_others: number };

/** The other due jobs a claim counts, at most: enough to tell a backlog from the steps running now. */
const DUE_COUNTED_UP_TO = 64;

/** Who completed a user task, as the tasklist recorded it. */
export type CompleterRef = { kind: PrincipalRef['kind']; id: string; name: string };

/**
 * The workflow runtime's SQL: claiming a job with its instance, saving a step, and the ways a job ends without one
 * (nothing to do, a retry later, an incident). Each is one statement; the claim starts the step's transaction and `save`
 * ends its work.
 */
@Injectable()
export class JobRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Starts the step's transaction on `runner` and claims in the same round trip ("START TRANSACTION; <claim>"): the first
   * due job (run_at, id) that no running step holds (SKIP LOCKED: a claimed job's row stays locked, and the job pending,
   * until its step commits or rolls back) and that is its instance's first due job, so one instance is stepped by one
   * worker at a time, in job order. It counts the attempt and returns what the step needs (state, variables, version,
   * diagram, open history rows, and a message job's message), and how many other jobs are due, up to DUE_COUNTED_UP_TO
   * (those of running steps included: they stay pending until their steps commit).
   * The instance row is read, not locked: a request that changes it while the step runs (a cancel terminating it, a
   * message) neither waits for the step nor deadlocks with it, and the step's save finds the version moved and is rolled
   * back. The claim commits with the step, so it costs no transaction of its own, and a crash (the connection closes,
   * PostgreSQL rolls back) frees the job at once. A savepoint follows the claim (same round trip): a step that fails is
   * rolled back to it (rollbackToClaim) and its outcome written in the same transaction, so no other worker can take
   * the job in between, and the attempt the claim counted stays counted. Nothing claimed: the transaction is still
   * open, the caller ends it.
   */
  async claim(runner: QueryRunner): Promise<{ job: ClaimedJob; instance: LoadedInstance; dueOthers: number } | undefined> {
    const [row] = await startTransactionWith<ClaimedRow>(
      runner,
      `WITH next AS (
         SELECT j.id FROM workflow_job j JOIN process_instance p ON p.id = j.instance_id
          WHERE j.status = 'pending' AND j.run_at <= now() AND p.status IN ('running','waiting')
            -- a subquery per candidate on workflow_job_pending_instance_idx (NOT EXISTS would let the planner hash the
            -- whole backlog for every claim)
            AND j.id = (SELECT o.id FROM workflow_job o WHERE o.instance_id = j.instance_id AND o.status = 'pending' AND o.run_at <= now()
                         ORDER BY o.run_at, o.id LIMIT 1)
          ORDER BY j.run_at, j.id
          LIMIT 1
          FOR UPDATE OF j SKIP LOCKED
       )
       UPDATE workflow_job j SET attempts = j.attempts + 1
         FROM next, process_instance p WHERE j.id = next.id AND p.id = j.instance_id
       RETURNING j.id, j.instance_id, j.kind, j.payload, j.attempts, j.max_attempts,
                 p.business_key, p.state, p.variables, p.version, p.definition_id, p.started_by_kind, p.started_by_id, p.started_by,
                 (SELECT count(*)::int FROM (SELECT 1 FROM workflow_job w WHERE w.status = 'pending' AND w.run_at <= now() AND w.id <> j.id
                   LIMIT ${DUE_COUNTED_UP_TO}) w) AS due_others,
                 (SELECT jsonb_build_object('id', m.id::text, 'name', m.name, 'payload', m.payload) FROM workflow_message m
                   WHERE j.kind = 'message' AND m.id = (j.payload->>'messageId')::bigint AND m.status = 'buffered') AS message,
                 (SELECT coalesce(jsonb_object_agg(o.element_id, o.n), '{}') FROM (
                    SELECT a.element_id, count(*) AS n FROM process_activity a
                     WHERE a.instance_id = p.id AND a.left_at IS NULL GROUP BY a.element_id) o) AS open_activities`,
      `SAVEPOINT ${CLAIMED}`,
    );
    if (!row) return undefined;
    const { id, instance_id, kind, payload, attempts, max_attempts, message, due_others, ...instance } = row;
    return { job: { id, instance_id, kind, payload, attempts, max_attempts, message }, instance: { id: instance_id, ...instance }, dueOthers: due_others };
  }

  /** Who completed the instance's latest task at this element, as authenticated when they did (never a process variable). */
  async completerOf(manager: EntityManager, instanceId: string, elementId: string): Promise<CompleterRef | undefined> {
    const [task] = await manager.query(
      `SELECT completed_by_kind AS kind, completed_by_id AS id, completed_by AS name FROM user_task
        WHERE instance_id = $1 AND element_id = $2 AND status = 'completed' AND completed_by_kind IS NOT NULL
        ORDER BY completed_at DESC LIMIT 1`,
      [instanceId, elementId],
    );
    return task;
  }

  async definitionXml(manager: EntityManager, definitionId: string): Promise<string> {
    const [definition] = await manager.query(`SELECT xml FROM workflow_definition WHERE id = $1`, [definitionId]);
    if (!definition) throw new Error(`workflow definition ${definitionId} does not exist`);
    return definition.xml;
  }

  /** Undoes everything a failed step did after its claim (the claim, its counted attempt, stays). */
  async rollbackToClaim(step: Queryable): Promise<void> {
    await step.query(`ROLLBACK TO SAVEPOINT ${CLAIMED}`);
  }

  /** The task execution log of handler calls whose step did not save (a repeat stays visible). */
  async logTaskRuns(step: Queryable, instanceId: string, workerId: string, runs: TaskRun[]): Promise<void> {
    if (runs.length === 0) return;
    await step.query(
      `INSERT INTO task_execution (instance_id, element_id, execution_id, task_type, worker, outcome, error, started_at, duration_ms)
       SELECT $1, r.element_id, r.execution_id, r.task_type, $2, r.outcome, r.error, r.started_at, r.duration_ms FROM ${taskRunsFrom('$3')}`,
      [instanceId, workerId, taskRunsJson(runs)],
    );
  }

  /**
   * Saves the step in ONE statement, in the step's transaction (with the handlers' effects): state, waits, history, the task
   * execution log, the job done, the message delivered, timers and user tasks in line with the waits, and the next buffered
   * message now awaited. Every part runs only when the instance is still at the claimed version; otherwise nothing is
   * written and `saved` is false. The parts see the database as it was before the statement, hence the exclusions of the
   * current job and message. `queued`: jobs this added (timers, the next message).
   */
  async save(
    manager: EntityManager,
    workerId: string,
    job: ClaimedJob,
    instance: LoadedInstance,
    result: StepResult,
    runs: TaskRun[],
  ): Promise<{ saved: boolean; queued: number }> {
    const deliveredMessageId = job.message?.id;
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
      manager,
      `WITH instance AS (
         UPDATE process_instance SET state = $3, variables = $4, waiting = $5, status = $6::varchar, version = version + 1,
                updated_at = now(), ended_at = CASE WHEN $6::varchar = 'completed' THEN now() END
          WHERE id = $1 AND version = $2 RETURNING id, business_key
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
        result.completed ? 'completed' : 'waiting', workerId, job.id, deliveredMessageId ?? null,
        JSON.stringify(entered), JSON.stringify(leftEarlier), taskRunsJson(runs), JSON.stringify(timers), JSON.stringify(userTasks), awaitedMessages,
      ],
    );
    return row;
  }

  /** The job needs no step (its instance started already, its message or timer is gone): done, in the claim's transaction. */
  async finishWithoutStep(step: Queryable, job: ClaimedJob): Promise<void> {
    await step.query(`UPDATE workflow_job SET status = 'done', finished_at = now() WHERE id = $1`, [job.id]);
  }

  /**
   * Retries used up: the job failed and the instance has an incident at `elementId`, in the claim's transaction after the
   * step rolled back to its claim. An instance that ended meanwhile (a cancel terminated it while the step ran) gets no
   * incident; its job is cancelled.
   */
  async failToIncident(step: Queryable, job: ClaimedJob, instance: LoadedInstance, message: string, elementId: string | null): Promise<void> {
    await step.query(
      `WITH job AS (
         UPDATE workflow_job j SET status = CASE WHEN p.status IN ${ENDED} THEN 'cancelled' ELSE 'failed' END, finished_at = now(), last_error = $3
           FROM process_instance p WHERE j.id = $1 AND p.id = j.instance_id RETURNING j.id
       ), instance AS (
         UPDATE process_instance SET status = 'incident', updated_at = now()
          WHERE id = $2 AND status IN ('running','waiting') AND EXISTS (SELECT 1 FROM job) RETURNING id
       )
       INSERT INTO incident (instance_id, job_id, element_id, message) SELECT id, $1, $4, $3 FROM instance`,
      [job.id, instance.id, message, elementId],
    );
  }

  /**
   * Jobs due now and not yet done, of instances a worker can step (one in an incident or ended waits for nobody), counted
   * up to `atMost`: a range of workflow_job_due_idx (run_at, id WHERE status = 'pending') read up to a LIMIT, each joined
   * to its instance by primary key, so a backlog of millions costs no more to count than one just past `atMost`.
   */
  async countDue(atMost: number): Promise<number> {
    const row = await queryOne<{ due: number }>(
      this.db,
      `SELECT count(*)::int AS due FROM (
         SELECT 1 FROM workflow_job j JOIN process_instance p ON p.id = j.instance_id
          WHERE j.status = 'pending' AND j.run_at <= now() AND p.status IN ('running','waiting')
          LIMIT $1) due`,
      [atMost],
    );
    return row?.due ?? 0;
  }

  /**
   * The job runs again in `delaySeconds`, in the claim's transaction after the step rolled back to its claim; the attempt
   * the claim counted stays counted unless `countAttempt` is false. When the instance ended meanwhile (a cancel terminated
   * it while the step ran), the job is cancelled instead.
   */
  async retryLater(step: Queryable, job: ClaimedJob, reason: string, delaySeconds: number, { countAttempt }: { countAttempt: boolean }): Promise<void> {
    await step.query(
      `UPDATE workflow_job j SET run_at = now() + make_interval(secs => $2), last_error = $3, attempts = j.attempts - $4,
              status = CASE WHEN p.status IN ${ENDED} THEN 'cancelled' ELSE j.status END,
              finished_at = CASE WHEN p.status IN ${ENDED} THEN now() END
         FROM process_instance p WHERE j.id = $1 AND p.id = j.instance_id`,
      [job.id, delaySeconds, reason, countAttempt ? 0 : 1],
    );
  }
}

/** The savepoint right after a claim. */
const CLAIMED = 'claimed';

/** The statuses of an instance that has ended: its jobs have nothing left to do. */
const ENDED = `('completed','terminated')`;

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
