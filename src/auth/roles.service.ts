import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/actor';
import { ConflictError, type ErrorDetail, ForbiddenError, InvalidStateError, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import { isPermission } from './permission-catalogue';
import { BUILT_IN_ROLES, lacking } from './permissions';

/** The built-in role that holds every permission (`*`); it cannot be changed or deleted. */
export const ADMIN_ROLE = 'admin';
export const ROLE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const BUILT_IN = new Set(BUILT_IN_ROLES.map((role) => role.name));

export interface RoleView {
  name: string;
  description: string;
  permissions: string[];
  /** Shipped with the product and re-created at start: it can be edited (but for admin) and not deleted. */
  builtIn: boolean;
  /** How many users hold it. */
  users: number;
}

export interface RoleInput {
  description: string;
  permissions: string[];
}

/**
 * Nobody hands out more than they hold (issue 11: a diagram, a role or an account never does more than the people behind
 * it): a role's permissions, the roles given to a user or an API key, and changes to an account that holds more than
 * the actor (its password above all) need every permission involved, unless the actor holds everything (`*`).
 */
export function refuseBeyond(actor: Actor, permissions: Iterable<string>, what: string): void {
  const beyond = lacking(actor.permissions, permissions);
  if (beyond.length > 0) throw new ForbiddenError(`${what} needs ${beyond.map((permission) => (permission === '*' ? 'every permission (admin)' : permission)).join(', ')}, which your roles do not give you`);
}

const COLUMNS = `r.name, r.description, r.permissions, (SELECT count(*)::int FROM app_user u WHERE r.name = ANY(u.roles)) AS users`;

/**
 * Roles and their permissions (G3.3): for the API and the admin's role editor alike. A change applies on the holders'
 * next request (bearer tokens and admin sessions read the permissions of their roles on every request).
 */
@Injectable()
export class RolesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<RoleView[]> {
    const rows = await queryRows<Omit<RoleView, 'builtIn'>>(this.db, `SELECT ${COLUMNS} FROM role r ORDER BY r.name`);
    return rows.map((row) => ({ ...row, builtIn: BUILT_IN.has(row.name) }));
  }

  async get(name: string, manager: EntityManager = this.db.manager): Promise<RoleView> {
    const row = await queryOne<Omit<RoleView, 'builtIn'>>(manager, `SELECT ${COLUMNS} FROM role r WHERE r.name = $1`, [name]);
    if (!row) throw new NotFoundError('Role', name);
    return { ...row, builtIn: BUILT_IN.has(row.name) };
  }

  async create(name: string, input: RoleInput, by: Acting): Promise<RoleView> {
    if (!ROLE_NAME.test(name)) throw ValidationError.of('name', 'must be 1-40 lower-case letters, digits, _ or -, starting with a letter');
    const permissions = this.checkedPermissions(input.permissions);
    refuseBeyond(by.actor, permissions, `The role ${name}`);
    return this.db.transaction(async (manager) => {
      await manager
        .query(`INSERT INTO role (name, description, permissions) VALUES ($1, $2, $3)`, [name, input.description, permissions])
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new ConflictError(`A role named ${name} already exists`);
          throw error;
        });
      await this.audit.record({ ...by, action: 'role.create', target: `role:${name}`, details: { description: input.description, permissions } }, manager);
      return this.get(name, manager);
    });
  }

  async update(name: string, input: RoleInput, by: Acting): Promise<RoleView> {
    const permissions = this.checkedPermissions(input.permissions);
    return this.db.transaction(async (manager) => {
      const before = await this.lockForChange(manager, name, 'changed');
      refuseBeyond(by.actor, [...before.permissions, ...permissions], `Changing the role ${name}`);
      await manager.query(`UPDATE role SET description = $2, permissions = $3 WHERE name = $1`, [name, input.description, permissions]);
      const details = {
        added: permissions.filter((code) => !before.permissions.includes(code)),
        removed: before.permissions.filter((code) => !permissions.includes(code)),
        ...(before.description === input.description ? {} : { description: { from: before.description, to: input.description } }),
      };
      await this.audit.record({ ...by, action: 'role.update', target: `role:${name}`, details }, manager);
      return this.get(name, manager);
    });
  }

  async remove(name: string, by: Acting): Promise<void> {
    await this.db.transaction(async (manager) => {
      const role = await this.lockForChange(manager, name, 'deleted');
      refuseBeyond(by.actor, role.permissions, `Deleting the role ${name}`);
      if (role.builtIn) throw new InvalidStateError(`${name} is a built-in role (it comes back at every start); take its permissions away instead`);
      const [{ keys }] = await manager.query(`SELECT count(*)::int AS keys FROM api_key WHERE $1 = ANY(roles) AND revoked_at IS NULL`, [name]);
      if (role.users > 0 || keys > 0) {
        throw new InvalidStateError(`${role.users} user(s) and ${keys} API key(s) hold the role ${name}; take it from them first`);
      }
      await manager.query(`DELETE FROM role WHERE name = $1`, [name]);
      await this.audit.record({ ...by, action: 'role.delete', target: `role:${name}`, details: { permissions: role.permissions } }, manager);
    });
  }

  /**
   * Roles someone may give (to a user or an API key): they exist (422 otherwise) and the giver holds every permission
   * they carry (403 otherwise). The named roles stay locked until the caller's transaction ends, so that a role cannot
   * be deleted or widened while it is being given.
   */
  async assertGrantable(manager: EntityManager, roles: string[], by: Actor, what: string): Promise<void> {
    const found = await queryRows<{ name: string; permissions: string[] }>(manager, `SELECT name, permissions FROM role WHERE name = ANY($1::text[]) FOR SHARE`, [roles]);
    const known = new Set(found.map((row) => row.name));
    const details: ErrorDetail[] = roles.flatMap((role, index) => (known.has(role) ? [] : [{ path: `roles[${index}]`, message: `unknown role ${role}` }]));
    if (details.length > 0) throw new ValidationError(`Unknown role(s): ${details.map((detail) => detail.message.slice('unknown role '.length)).join(', ')}`, details);
    refuseBeyond(by, found.flatMap((row) => row.permissions), what);
  }

  /** What the roles allow together now (`*` for the admin role). */
  async permissionsOf(manager: EntityManager, roles: string[]): Promise<string[]> {
    const rows = await queryRows<{ permissions: string[] }>(manager, `SELECT permissions FROM role WHERE name = ANY($1::text[])`, [roles]);
    return [...new Set(rows.flatMap((row) => row.permissions))];
  }

  private async lockForChange(manager: EntityManager, name: string, verb: string): Promise<RoleView> {
    if (name === ADMIN_ROLE) throw new InvalidStateError(`The built-in admin role keeps every permission; it cannot be ${verb}`);
    const locked = await manager.query(`SELECT 1 FROM role WHERE name = $1 FOR UPDATE`, [name]);
    if (locked.length === 0) throw new NotFoundError('Role', name);
    return this.get(name, manager);
  }

  /** Known permissions only, each once; `*` belongs to the admin role alone. */
  private checkedPermissions(permissions: string[]): string[] {
    const details: ErrorDetail[] = permissions.flatMap((code, index) =>
      isPermission(code) ? [] : [{ path: `permissions[${index}]`, message: code === '*' ? 'only the built-in admin role holds *' : `unknown permission ${code}` }],
    );
    if (details.length > 0) throw new ValidationError(`The role has ${details.length} unknown permission(s); GET /api/permissions lists them`, details);
    return [...new Set(permissions)];
  }
}
