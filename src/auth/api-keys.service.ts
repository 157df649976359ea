import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../common/errors';
import type { Page } from '../common/pagination';
import { queryOne, queryRows } from '../database/sql';
import { refuseBeyond, RolesService } from './roles.service';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const API_KEY_PREFIX = 'omsk_';

export interface ApiKeyView {
  id: string;
  name: string;
  roles: string[];
  status: 'active' | 'expired' | 'revoked';
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = `id, name, roles, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt",
  CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= now() THEN 'expired' ELSE 'active' END AS status`;
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
type ApiKeyRow = Omit<ApiKeyView, 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt'> & Record<'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt', Date | null>;
const toView = (row: ApiKeyRow): ApiKeyView => ({
  ...row,
  createdAt: new Date(row.createdAt!).toISOString(),
  expiresAt: iso(row.expiresAt),
  lastUsedAt: iso(row.lastUsedAt),
  revokedAt: iso(row.revokedAt),
});

/** An integration's keys (G3.3): a name, a scope (roles), an optional expiry, the last use; listed without secrets, revoked at once. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly roles: RolesService,
  ) {}

  /** The key itself is in this answer only: the database keeps its SHA-256. */
  async create(input: { name: string; roles: string[]; expiresAt?: string }, by: Acting): Promise<ApiKeyView & { key: string }> {
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw ValidationError.of('expiresAt', 'must be in the future');
    const roles = [...new Set(input.roles)];
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.db.transaction(async (manager) => {
      await this.roles.assertGrantable(manager, roles, by.actor, `A key with the roles ${roles.join(', ')}`);
      const [{ id }] = await manager.query(`INSERT INTO api_key (name, token_hash, roles, created_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
        input.name, sha256(key), roles, by.actor.name, expiresAt,
      ]);
      await this.audit.record({ ...by, action: 'api_key.create', target: `api_key:${id}`, details: { name: input.name, roles, expiresAt: iso(expiresAt) } }, manager);
      return { ...(await this.get(id, manager)), key };
    });
  }

  async list(offset: number, limit: number): Promise<Omit<Page<ApiKeyView>, 'page' | 'pageSize'>> {
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM api_key`);
    const rows = await queryRows<ApiKeyRow>(this.db, `SELECT ${COLUMNS} FROM api_key ORDER BY revoked_at IS NOT NULL, created_at DESC OFFSET $1 LIMIT $2`, [offset, limit]);
    return { items: rows.map(toView), total };
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<ApiKeyView> {
    const row = UUID.test(id) ? await queryOne<ApiKeyRow>(manager, `SELECT ${COLUMNS} FROM api_key WHERE id = $1`, [id]) : undefined;
    if (!row) throw new NotFoundError('API key', id);
    return toView(row);
  }

  /** The key answers 401 from the next request on; revoking a revoked key changes nothing. */
  async revoke(id: string, by: Acting): Promise<void> {
    const key = await this.get(id);
    await this.db.transaction(async (manager) => {
      refuseBeyond(by.actor, await this.roles.permissionsOf(manager, key.roles), `Revoking the key ${key.name}`);
      const revoked = await queryRows(manager, `UPDATE api_key SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [id, by.actor.name]);
      if (revoked.length > 0) await this.audit.record({ ...by, action: 'api_key.revoke', target: `api_key:${id}`, details: { name: key.name } }, manager);
    });
  }
}
