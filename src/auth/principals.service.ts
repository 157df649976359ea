import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type Actor, type PrincipalRef, SYSTEM_ACTOR } from '../common/actor';

/**
 * What a stored principal (who started a process instance, who completed its task) may do now: its roles' current
 * permissions. A disabled user or a revoked or expired API key may do nothing, so a diagram never outlives the rights behind it.
 */
@Injectable()
export class PrincipalsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `manager`: the caller's transaction when it has one (a workflow step's: the embedded database has one connection). */
  async actorOf(principal: PrincipalRef, manager: EntityManager = this.db.manager): Promise<Actor> {
    if (principal.kind === 'system') return SYSTEM_ACTOR;
    const rows: Array<{ roles: string[]; permissions: string[] | null }> =
      principal.kind === 'user'
        ? await manager.query(
            `SELECT u.roles, (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions
               FROM app_user u WHERE u.id::text = $1 AND u.active`,
            [principal.id],
          )
        : await manager.query(
            `SELECT k.roles, (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(k.roles)) AS permissions
               FROM api_key k WHERE k.id::text = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
            [principal.id],
          );
    const row = rows[0];
    return { ...principal, roles: row?.roles ?? [], permissions: new Set(row?.permissions ?? []) };
  }
}
