import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { ForbiddenError, InvalidStateError, NotFoundError } from '../common/errors';
import { queryOne } from '../database/sql';
import type { FormField } from './bpmn/moddle-extensions';
import { JobWakeup } from './job-wakeup';
import { formVariables } from './task-form';
import { type TaskSubject, TaskSubjectRegistry } from './task-subjects';

export interface UserTaskView {
  id: string;
  instanceId: string;
  businessKey: string | null;
  elementId: string;
  name: string;
  candidateRoles: string[];
  assignee: string | null;
  status: 'open' | 'claimed' | 'completed' | 'cancelled';
  dueAt: string | null;
  overdue: boolean;
  /** The variables completing it may set; nothing else is accepted. */
  formFields: FormField[];
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
}

export interface TaskFilter {
  status?: string;
  role?: string;
  assignee?: string;
  instanceId?: string;
}

const TASK_VIEW_SQL = `
  SELECT id, instance_id AS "instanceId", business_key AS "businessKey", element_id AS "elementId", name,
         candidate_roles AS "candidateRoles", assignee, status, due_at AS "dueAt", form_fields AS "formFields",
         (due_at IS NOT NULL AND due_at < now() AND status IN ('open','claimed')) AS overdue,
         created_at AS "createdAt", completed_at AS "completedAt", completed_by AS "completedBy"
    FROM user_task`;

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
const toView = (row: Record<string, unknown>) =>
  ({ ...row, dueAt: iso(row.dueAt), createdAt: iso(row.createdAt), completedAt: iso(row.completedAt) }) as UserTaskView;

/** The tasklist (DESIGN "User tasks"): candidate roles, claim, complete with variables, due dates. */
@Injectable()
export class UserTasksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly wakeup: JobWakeup,
    private readonly subjects: TaskSubjectRegistry,
  ) {}

  async list(filter: TaskFilter, offset: number, limit: number): Promise<{ items: UserTaskView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const statuses = filter.status === 'active' || !filter.status ? ['open', 'claimed'] : filter.status.split(',');
    where.push(`status = ANY($${params.push(statuses)})`);
    if (filter.role) where.push(`(cardinality(candidate_roles) = 0 OR $${params.push(filter.role)} = ANY(candidate_roles))`);
    if (filter.assignee) where.push(`assignee = $${params.push(filter.assignee)}`);
    if (filter.instanceId) where.push(`instance_id = $${params.push(filter.instanceId)}`);
    const clause = `WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM user_task ${clause}`, params);
    const rows = await this.db.query(`${TASK_VIEW_SQL} ${clause} ORDER BY due_at NULLS LAST, created_at LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
      ...params, limit, offset,
    ]);
    return { items: rows.map(toView), total };
  }

  async get(id: string): Promise<UserTaskView> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await queryOne(this.db, `${TASK_VIEW_SQL} WHERE id = $1`, [id]) : undefined;
    if (!row) throw new NotFoundError('Task', id);
    return toView(row);
  }

  async claim(id: string, actor: Actor): Promise<UserTaskView> {
    const task = await this.get(id);
    this.assertCandidate(task, actor);
    if (task.status === 'claimed' && task.assignee === actor.name) return task;
    const claimed = await queryOne(
      this.db,
      `UPDATE user_task SET status = 'claimed', assignee = $2, claimed_at = now() WHERE id = $1 AND status = 'open' RETURNING id`,
      [id, actor.name],
    );
    if (!claimed) {
      const now = await this.get(id);
      throw new InvalidStateError(`Task "${now.name}" is ${now.status}${now.assignee ? ` by ${now.assignee}` : ''}; only open tasks can be claimed`);
    }
    return this.get(id);
  }

  /**
   * Completes the task with the variables of its form (nothing else: 422); the instance moves on in the next step (a signal
   * job). Who completed it is recorded from the authenticated actor, for the steps that apply the decision.
   */
  async complete(id: string, variables: Record<string, unknown>, actor: Actor): Promise<UserTaskView> {
    const task = await this.get(id);
    this.assertCandidate(task, actor);
    if (task.status === 'claimed' && task.assignee !== actor.name) {
      throw new InvalidStateError(`Task "${task.name}" is claimed by ${task.assignee}; only they can complete it`);
    }
    if (task.status !== 'open' && task.status !== 'claimed') throw new InvalidStateError(`Task "${task.name}" is ${task.status}; it cannot be completed`);
    const values = formVariables(task.formFields, variables);
    await this.db.transaction(async (manager) => {
      const done = await queryOne<{ instance_id: string; element_id: string; execution_id: string }>(
        manager,
        `UPDATE user_task SET status = 'completed', assignee = COALESCE(assignee, $2), completed_by = $2, completed_by_kind = $4, completed_by_id = $5,
                completed_at = now(), result = $3
          WHERE id = $1 AND status IN ('open','claimed') RETURNING instance_id, element_id, execution_id`,
        [id, actor.name, JSON.stringify(values), actor.kind, actor.id],
      );
      if (!done) throw new InvalidStateError(`Task "${task.name}" is ${task.status}; it cannot be completed`);
      await manager.query(`INSERT INTO workflow_job (instance_id, kind, payload) VALUES ($1, 'signal', $2)`, [
        done.instance_id,
        JSON.stringify({ elementId: done.element_id, executionId: done.execution_id, variables: values }),
      ]);
      this.wakeup.afterCommit(manager);
    });
    return this.get(id);
  }

  /** The order or case the task concerns (its instance's variables), for whoever may work it; null for other instances. */
  async subject(id: string, actor: Actor): Promise<TaskSubject | null> {
    const task = await this.get(id);
    this.assertCandidate(task, actor);
    const row = await queryOne<{ variables: Record<string, unknown> }>(this.db, `SELECT variables FROM process_instance WHERE id = $1`, [task.instanceId]);
    return row ? this.subjects.describe(row.variables ?? {}) : null;
  }

  private assertCandidate(task: UserTaskView, actor: Actor): void {
    const allowed = actor.permissions.has('*') || task.candidateRoles.length === 0 || task.candidateRoles.some((role) => actor.roles.includes(role));
    if (!allowed) throw new ForbiddenError(`Task "${task.name}" is for ${task.candidateRoles.join(', ')}; your roles are ${actor.roles.join(', ') || 'none'}`);
  }
}
