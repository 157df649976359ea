import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { DefinitionsService } from './definitions.service';
import type { WaitingElement } from './process-instance.entity';
import { JobWakeup } from './job-wakeup';

export interface ProcessInstanceView {
  id: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  waitingAt: WaitingElement[];
  variables: Record<string, unknown>;
  activity: Array<{ elementId: string; elementType: string; name: string | null; enteredAt: string | null; leftAt: string | null }>;
  incidents: Array<{ id: string; elementId: string | null; message: string; status: string; createdAt: string }>;
  createdAt: string;
  endedAt: string | null;
}

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
  ) {}

  async startInstance(manager: EntityManager, key: string, businessKey: string, variables: Record<string, unknown>): Promise<string> {
    const definition = await this.definitions.requireLatest(key, manager);
    const [instance] = await manager.query(
      `INSERT INTO process_instance (definition_id, business_key, variables) VALUES ($1, $2, $3) RETURNING id`,
      [definition.id, businessKey, JSON.stringify(variables)],
    );
    await manager.query(`INSERT INTO workflow_job (instance_id, kind) VALUES ($1, 'start')`, [instance.id]);
    this.wakeup.afterCommit(manager);
    return instance.id;
  }

  /**
   * Delivers a message to the instance with this business key. It is stored first: if the instance is not
   * waiting for it yet, it stays buffered and is delivered once the instance reaches the wait (DESIGN "Messages").
   */
  async correlateMessage(manager: EntityManager, name: string, businessKey: string, payload: Record<string, unknown> = {}): Promise<void> {
    // the row lock orders this with a step that is saving the instance's new waits right now
    const instances: Array<{ id: string; waiting: WaitingElement[] }> = await manager.query(
      `SELECT id, waiting FROM process_instance WHERE business_key = $1 AND status IN ('running','waiting','incident') FOR UPDATE`,
      [businessKey],
    );
    const instance = instances[0];
    const [message] = await manager.query(
      `INSERT INTO workflow_message (name, business_key, payload, instance_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [name, businessKey, JSON.stringify(payload), instance?.id ?? null],
    );
    if (instance && instance.waiting.some((wait) => wait.messageName === name)) {
      await manager.query(`INSERT INTO workflow_job (instance_id, kind, payload) VALUES ($1, 'message', $2)`, [
        instance.id, JSON.stringify({ messageId: message.id }),
      ]);
      this.wakeup.afterCommit(manager);
    }
  }

  /** Ends an instance where it stands (its order was cancelled); pending jobs and buffered messages are dropped. */
  async terminateInstance(manager: EntityManager, instanceId: string): Promise<void> {
    await manager.query(
      `UPDATE process_instance SET status = 'terminated', ended_at = now(), version = version + 1, waiting = '[]', updated_at = now()
        WHERE id = $1 AND status NOT IN ('completed','terminated')`,
      [instanceId],
    );
    await manager.query(`UPDATE workflow_job SET status = 'cancelled', finished_at = now() WHERE instance_id = $1 AND status = 'pending'`, [instanceId]);
    await manager.query(`UPDATE workflow_message SET status = 'discarded' WHERE instance_id = $1 AND status = 'buffered'`, [instanceId]);
  }

  async getInstance(id: string): Promise<ProcessInstanceView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Process instance', id);
    const [instance] = await this.db.query(
      `SELECT i.id, d.key AS "definitionKey", d.version, i.business_key AS "businessKey", i.status, i.waiting, i.variables,
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
