import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import type { Page } from '../common/pagination';
import { queryRows } from '../database/sql';
import type { AuditAction } from './audit-actions';

/** Who an entry names: an authenticated actor, or for a failed login the email it was tried with. */
export type AuditActor = Pick<Actor, 'kind' | 'id' | 'name'> | { kind: 'anonymous'; id?: null; name: string };

export interface AuditRecord {
  actor: AuditActor;
  ip?: string | null;
  action: AuditAction;
  /** What the action was done to: `user:<id>`, `role:<name>`, `api_key:<id>`, `settings`, a template's path, ... */
  target?: string | null;
  /** What changed (never a password, token or key). */
  details?: Record<string, unknown>;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  actorId: string | null;
  actorKind: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  /** An actor's name (email, `api-key:<name>`) or id. */
  actor?: string;
  /** An action (`user.update`) or an area (`user`: all of its actions). */
  action?: string;
  /** ISO 8601 date-times, or dates (`YYYY-MM-DD`, whole days in `timeZone`); both inclusive. */
  from?: string;
  to?: string;
  timeZone: string;
  offset: number;
  limit: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The append-only audit log (G3.3). `record` takes the caller's transaction so that an entry commits with the change it
 * describes, or not at all; the table's trigger refuses UPDATE, DELETE and TRUNCATE, so entries cannot be changed
 * through the product.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(entry: AuditRecord, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor, actor_id, actor_kind, action, target, ip, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.actor.name.slice(0, 254),
        entry.actor.id?.slice(0, 100) ?? null,
        entry.actor.kind,
        entry.action,
        entry.target?.slice(0, 300) ?? null,
        entry.ip?.slice(0, 64) ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  /**
   * Whether an entry of this action with this `details.reason` was recorded in the last `seconds` for the actor or from
   * the address: lets a flood of identical events (throttled logins) be recorded once a minute, not once a request.
   */
  async seenRecently(action: AuditAction, reason: string, who: { actor: string; ip: string }, seconds: number): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM audit_log WHERE action = $1 AND at > now() - make_interval(secs => $5) AND (actor = $3 OR ip = $4) AND details ->> 'reason' = $2 LIMIT 1`,
      [action, reason, who.actor, who.ip, seconds],
    );
    return rows.length > 0;
  }

  /** Newest first. */
  async list(filter: AuditFilter): Promise<Omit<Page<AuditEntryView>, 'page' | 'pageSize'>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.actor) {
      const actor = param(filter.actor);
      conditions.push(`(actor = ${actor} OR actor_id = ${actor})`);
    }
    if (filter.action) conditions.push(filter.action.includes('.') ? `action = ${param(filter.action)}` : `action LIKE ${param(`${likeEscape(filter.action)}.%`)}`);
    if (filter.from) conditions.push(`at >= ${this.instant(filter.from, 'start', param, filter.timeZone)}`);
    if (filter.to) conditions.push(`at ${DATE_ONLY.test(filter.to) ? '<' : '<='} ${this.instant(filter.to, 'end', param, filter.timeZone)}`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM audit_log ${where}`, params);
    const rows = await queryRows<AuditEntryView & { at: Date; id: string }>(
      this.db,
      `SELECT id::text AS id, at, actor, actor_id AS "actorId", actor_kind AS "actorKind", action, target, ip, details
         FROM audit_log ${where} ORDER BY at DESC, id DESC OFFSET ${param(filter.offset)} LIMIT ${param(filter.limit)}`,
      params,
    );
    return { items: rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() })), total };
  }

  /** A date-time as given; a date is the start of that day (or of the next, for an inclusive end) in the shop's zone. */
  private instant(value: string, edge: 'start' | 'end', param: (value: unknown) => string, timeZone: string): string {
    if (!DATE_ONLY.test(value)) return `${param(value)}::timestamptz`;
    const day = edge === 'start' ? `${param(value)}::date` : `(${param(value)}::date + 1)`;
    return `(${day}::timestamp AT TIME ZONE ${param(timeZone)})`;
  }
}
