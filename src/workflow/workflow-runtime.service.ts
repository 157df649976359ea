import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { type PrincipalRef, SYSTEM_ACTOR } from '../common/actor';
import { InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { elementIdsOf } from './bpmn/element-ids';
import { migrateState } from './engine/diagram-cache';
import { WorkflowDefinition } from './workflow-definition.entity';
import { queryOne } from '../database/sql';
import { DefinitionsService } from './definitions.service';
import type { WaitingElement } from './process-instance.entity';
import { JobWakeup } from './job-wakeup';

export interface ProcessInstanceView {
  id: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  /** Who the instance runs as: its task types act with this principal's permissions. */
  startedBy: PrincipalRef;
  waitingAt: WaitingElement[];
  variables: Record<string, unknown>;
  activity: Array<{ elementId: string; elementType: string; name: string | null; enteredAt: string | null; leftAt: string | null }>;
  incidents: Array<{ id: string; elementId: string | null; message: string; status: string; createdAt: string }>;
  createdAt: string;
  endedAt: string | null;
}

export interface InstanceFilter {
  definition?: string;
  version?: number;
  status?: string;
  businessKey?: string;
  waitingAt?: string;
  hasIncident?: boolean;
}

export interface InstanceSummary {
  id: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  startedBy: PrincipalRef;
  waitingAt: WaitingElement[];
  openIncidents: number;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/**
 * The product's messages (payment received, stock arrived, a case reviewed) are for the instances the product started: an
 * instance someone started through the API under the same business key must not take them (issue 11: a diagram reaching
 * further than its starter).
 */
const PRODUCT_INSTANCE = `started_by_kind = 'system'`;

/**
 * Starting instances, correlating messages and ending instances. Every call takes the caller's
 * transaction, so the business change and the workflow's next job commit together.
 */
@Injectable()
export class WorkflowRuntimeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly wakeup: JobWakeup,
    private readonly audit: AuditService,
  ) {}

  /**
   * Starts an instance of the latest version of `key`, running as `startedBy`: the product's own flows as the system, an
   * instance started through the API as the user or API key that started it (its task types need their permissions).
   */
  async startInstance(manager: EntityManager, key: string, businessKey: string | null, variables: Record<string, unknown>, startedBy: PrincipalRef = SYSTEM_ACTOR): Promise<string> {
    // one statement: the instance on the latest version of its workflow, and its start job
    const instance = await queryOne<{ id: string }>(
      manager,
      `WITH instance AS (
         INSERT INTO process_instance (definition_id, business_key, variables, started_by_kind, started_by_id, started_by)
         SELECT id, $2, $3, $4, $5, $6 FROM workflow_definition WHERE key = $1 ORDER BY version DESC LIMIT 1
         RETURNING id
       ), job AS (
         INSERT INTO workflow_job (instance_id, kind) SELECT id, 'start' FROM instance
       )
       SELECT id FROM instance`,
      [key, businessKey, JSON.stringify(variables), startedBy.kind, startedBy.kind === 'system' ? null : startedBy.id, startedBy.name],
    );
    if (!instance) throw new NotFoundError('Workflow', key);
    this.wakeup.afterCommit(manager);
    return instance.id;
  }

  /**
   * CTEs that start an instance of the latest version of `key` for the row of CTE `source` of the caller's statement, as the
   * system, with its start job: a business write and the process it starts in ONE statement (the intake's, issue 12 item 4).
   * `definition` (the version; the caller writes nothing when there is none) goes before the caller's CTEs, `start` (the
   * instance, whose id the caller made, and its job) after `source`. Call wakeWorkers() once the statement committed.
   */
  startInstanceSql(spec: { key: string; instanceId: string; source: string; businessKey: string; variables: string }): { definition: string; start: string } {
    if (!/^[a-z0-9_.-]+$/i.test(spec.key)) throw new Error(`workflow key ${spec.key} cannot be inlined`);
    return {
      definition: `definition AS (SELECT id FROM workflow_definition WHERE key = '${spec.key}' ORDER BY version DESC LIMIT 1)`,
      start: `started_instance AS (
         INSERT INTO process_instance (id, definition_id, business_key, variables, started_by_kind, started_by_id, started_by)
         SELECT ${spec.instanceId}, definition.id, ${spec.businessKey}, ${spec.variables}, 'system', NULL, '${SYSTEM_ACTOR.name}' FROM ${spec.source}, definition
         RETURNING id
       ), start_job AS (
         INSERT INTO workflow_job (instance_id, kind) SELECT id, 'start' FROM started_instance
       )`,
    };
  }

  /** Wakes the workers of every process now (after a statement that queued a job committed on its own). */
  wakeWorkers(): void {
    this.wakeup.announce();
  }

  /**
   * Delivers a message to the instance with this business key. It is stored first: if the instance is not
   * waiting for it yet, it stays buffered and is delivered once the instance reaches the wait (DESIGN "Messages").
   */
  async correlateMessage(manager: EntityManager, name: string, businessKey: string, payload: Record<string, unknown> = {}): Promise<void> {
    // the row lock orders this with a step that is saving the instance's new waits right now; `stepping`: a job of the
    // instance is due, so a step may be running (its claimed job stays pending until it commits)
    const instances: Array<{ id: string; waiting: WaitingElement[]; stepping: boolean }> = await manager.query(
      `SELECT p.id, p.waiting,
              EXISTS (SELECT 1 FROM workflow_job j WHERE j.instance_id = p.id AND j.status = 'pending' AND j.run_at <= now()) AS stepping
         FROM process_instance p
        WHERE p.business_key = $1 AND p.status IN ('running','waiting','incident') AND p.${PRODUCT_INSTANCE} FOR UPDATE OF p`,
      [businessKey],
    );
    const instance = instances[0];
    const [message] = await manager.query(
      `INSERT INTO workflow_message (name, business_key, payload, instance_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [name, businessKey, JSON.stringify(payload), instance?.id ?? null],
    );
    // A step running right now saves its new waits in one statement whose snapshot may predate this message (it waits
    // for our row lock, then cannot see the message): a job queued now runs after that step (an instance's jobs run in
    // order) and delivers it, or, when the instance does not wait for it then, leaves it buffered for the step that
    // does (JobRepository.save).
    if (instance && (instance.stepping || instance.waiting.some((wait) => wait.messageName === name))) {
      await manager.query(`INSERT INTO workflow_job (instance_id, kind, payload) VALUES ($1, 'message', $2)`, [
        instance.id, JSON.stringify({ messageId: message.id }),
      ]);
      this.wakeup.afterCommit(manager);
    }
  }

  /** Whether the open instance of a business key waits for a message of that name right now (read in the caller's transaction). */
  async waitsForMessage(manager: EntityManager, businessKey: string, name: string): Promise<boolean> {
    const instances: Array<{ waiting: WaitingElement[] }> = await manager.query(
      `SELECT waiting FROM process_instance WHERE business_key = $1 AND status IN ('running','waiting','incident') AND ${PRODUCT_INSTANCE}`,
      [businessKey],
    );
    return instances.some((instance) => instance.waiting.some((wait) => wait.messageName === name));
  }

  /**
   * Ends an instance where it stands (its order was cancelled); pending jobs and buffered messages are dropped. A job or
   * message that a running step holds is skipped, not waited for (that step may be waiting for the order this caller
   * has locked): the step's save finds the version moved and rolls back, and its job is cancelled then (JobWorker).
   */
  async terminateInstance(manager: EntityManager, instanceId: string): Promise<void> {
    await manager.query(
      `WITH instance AS (
         UPDATE process_instance SET status = 'terminated', ended_at = now(), version = version + 1, waiting = '[]', updated_at = now()
          WHERE id = $1 AND status NOT IN ('completed','terminated')
       ), jobs AS (
         UPDATE workflow_job SET status = 'cancelled', finished_at = now()
          WHERE id IN (SELECT id FROM workflow_job WHERE instance_id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED)
       )
       UPDATE workflow_message SET status = 'discarded'
        WHERE id IN (SELECT id FROM workflow_message WHERE instance_id = $1 AND status = 'buffered' FOR UPDATE SKIP LOCKED)`,
      [instanceId],
    );
  }

  /** Puts the failed job of an open incident back in the queue (after a fix); the instance carries on from its last wait. */
  async retryIncident(id: string, by: Acting): Promise<{ id: string; status: string; instanceId: string }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Incident', id);
    const result = await this.db.transaction(async (manager) => {
      const incident = await queryOne<{ instance_id: string; job_id: string | null; status: string }>(
        manager,
        `SELECT instance_id, job_id, status FROM incident WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!incident) throw new NotFoundError('Incident', id);
      if (incident.status !== 'open') throw new InvalidStateError(`Incident ${id} is ${incident.status}; only open incidents can be retried`);
      await manager.query(`UPDATE incident SET status = 'resolved', resolved_at = now(), retried_by = $2 WHERE id = $1`, [id, by.actor.name]);
      await this.audit.record({ actor: by.actor, ip: by.ip, action: 'workflow.incident_retry', target: `process_instance:${incident.instance_id}`, details: { incident: id } }, manager);
      if (incident.job_id) {
        await manager.query(`UPDATE workflow_job SET status = 'pending', attempts = 0, run_at = now(), finished_at = NULL WHERE id = $1`, [incident.job_id]);
        this.wakeup.afterCommit(manager);
      }
      await manager.query(
        `UPDATE process_instance SET status = 'waiting', updated_at = now()
          WHERE id = $1 AND status = 'incident' AND NOT EXISTS (SELECT 1 FROM incident WHERE instance_id = $1 AND status = 'open')`,
        [incident.instance_id],
      );
      return { id, status: 'resolved', instanceId: incident.instance_id };
    });
    return result;
  }

  async listInstances(filter: InstanceFilter, offset: number, limit: number): Promise<{ items: InstanceSummary[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.definition) where.push(`d.key = $${params.push(filter.definition)}`);
    if (filter.version) where.push(`d.version = $${params.push(filter.version)}`);
    if (filter.status) where.push(`i.status = ANY($${params.push(filter.status.split(','))})`);
    if (filter.businessKey) where.push(`i.business_key = $${params.push(filter.businessKey)}`);
    if (filter.waitingAt) where.push(`i.waiting @> $${params.push(JSON.stringify([{ elementId: filter.waitingAt }]))}::jsonb`);
    if (filter.hasIncident !== undefined) {
      where.push(`${filter.hasIncident ? '' : 'NOT '}EXISTS (SELECT 1 FROM incident x WHERE x.instance_id = i.id AND x.status = 'open')`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const from = `FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id ${clause}`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.db.query(
      `SELECT i.id, d.key AS "definitionKey", d.version, i.business_key AS "businessKey", i.status, i.waiting AS "waitingAt",
              json_build_object('kind', i.started_by_kind, 'id', coalesce(i.started_by_id, 'system'), 'name', i.started_by) AS "startedBy",
              (SELECT count(*)::int FROM incident x WHERE x.instance_id = i.id AND x.status = 'open') AS "openIncidents",
              i.created_at AS "createdAt", i.updated_at AS "updatedAt", i.ended_at AS "endedAt"
         ${from} ORDER BY i.created_at DESC, i.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
    return { items: rows.map((row: InstanceSummary & { createdAt: Date; updatedAt: Date; endedAt: Date | null }) => ({ ...row, createdAt: iso(row.createdAt)!, updatedAt: iso(row.updatedAt)!, endedAt: iso(row.endedAt) })), total };
  }

  /**
   * Moves a waiting instance to another version of its workflow (default: the latest) when every element it waits at
   * exists there too (issue 4 item 12). Not while a step is due or running (a job of it is pending and due) or after it ended.
   */
  async migrateInstance(id: string, targetVersion: number | undefined, by: Acting): Promise<ProcessInstanceView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Process instance', id);
    await this.db.transaction(async (manager) => {
      const instance = await queryOne<{ status: string; state: unknown; waiting: WaitingElement[]; key: string; version: number; stepping: boolean }>(
        manager,
        `SELECT i.status, i.state, i.waiting, d.key, d.version,
                EXISTS (SELECT 1 FROM workflow_job j WHERE j.instance_id = i.id AND j.status = 'pending' AND j.run_at <= now()) AS stepping
           FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id
          WHERE i.id = $1 FOR UPDATE OF i`,
        [id],
      );
      if (!instance) throw new NotFoundError('Process instance', id);
      if (instance.status !== 'waiting' || instance.stepping) {
        throw new InvalidStateError(`Instance ${id} is ${instance.status === 'waiting' ? 'running a step' : instance.status}; only a waiting instance can be migrated`);
      }
      const target = targetVersion === undefined
        ? await this.definitions.requireLatest(instance.key, manager)
        : await manager.getRepository(WorkflowDefinition).findOneBy({ key: instance.key, version: targetVersion });
      if (!target) throw ValidationError.of('version', `${instance.key} has no version ${targetVersion}`);
      if (target.version === instance.version) throw ValidationError.of('version', `the instance already runs version ${target.version}`);
      const elements = await elementIdsOf(target.xml);
      const missing = instance.waiting.filter((wait) => !elements.has(wait.elementId));
      if (missing.length) {
        throw new ValidationError(
          `Version ${target.version} of ${instance.key} lacks ${missing.length} element(s) the instance waits at`,
          missing.map((wait) => ({ path: wait.elementId, message: `waiting here, but ${instance.key} v${target.version} has no such element` })),
        );
      }
      const state = await migrateState(instance.state, target.id, target.xml);
      await manager.query(`UPDATE process_instance SET definition_id = $2, state = $3, version = version + 1, updated_at = now() WHERE id = $1`, [
        id, target.id, JSON.stringify(state),
      ]);
      await manager.query(
        `INSERT INTO process_activity (instance_id, element_id, element_type, name, execution_id, entered_at, left_at)
         VALUES ($1, 'migration', 'oms:Migration', $2, $3, now(), now())`,
        [id, `migrated from v${instance.version} to v${target.version} by ${by.actor.name}`, `migration-${Date.now()}`],
      );
      await this.audit.record(
        { actor: by.actor, ip: by.ip, action: 'workflow.migrate', target: `process_instance:${id}`, details: { key: instance.key, from: instance.version, to: target.version } },
        manager,
      );
    });
    return this.getInstance(id);
  }

  async getInstance(id: string): Promise<ProcessInstanceView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Process instance', id);
    const [instance] = await this.db.query(
      `SELECT i.id, d.key AS "definitionKey", d.version, i.business_key AS "businessKey", i.status, i.waiting, i.variables,
              json_build_object('kind', i.started_by_kind, 'id', coalesce(i.started_by_id, 'system'), 'name', i.started_by) AS "startedBy",
              i.created_at AS "createdAt", i.ended_at AS "endedAt"
         FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id WHERE i.id = $1`,
      [id],
    );
    if (!instance) throw new NotFoundError('Process instance', id);
    const activity = await this.db.query(
      `SELECT element_id AS "elementId", element_type AS "elementType", name, entered_at AS "enteredAt", left_at AS "leftAt"
         FROM process_activity WHERE instance_id = $1 ORDER BY entered_at NULLS FIRST, id`,
      [id],
    );
    const incidents = await this.db.query(
      `SELECT id, element_id AS "elementId", message, status, created_at AS "createdAt" FROM incident WHERE instance_id = $1 ORDER BY created_at`,
      [id],
    );
    const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
    return {
      ...instance,
      waitingAt: instance.waiting,
      waiting: undefined,
      createdAt: iso(instance.createdAt)!,
      endedAt: iso(instance.endedAt),
      activity: activity.map((row: { enteredAt: Date | null; leftAt: Date | null }) => ({ ...row, enteredAt: iso(row.enteredAt), leftAt: iso(row.leftAt) })),
      incidents: incidents.map((row: { createdAt: Date }) => ({ ...row, createdAt: iso(row.createdAt)! })),
    };
  }
}
