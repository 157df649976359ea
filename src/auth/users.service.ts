import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { ConflictError, ForbiddenError, InvalidStateError, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import type { Page } from '../common/pagination';
import { queryOne, queryRows } from '../database/sql';
import { SettingsService } from '../settings/settings.service';
import { normaliseEmail, passwordProblem } from './credentials-policy';
import { LoginThrottle } from './login-throttle';
import { hashPassword, verifyPassword } from './password-hasher';
import { ADMIN_ROLE, refuseBeyond, RolesService } from './roles.service';
import type { UserLocale } from './user.entity';

/** A user as the API and the admin show one: never a password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  roles: string[];
  disabled: boolean;
  locale: UserLocale;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: string[];
  locale?: UserLocale;
}

export interface UserChange {
  name?: string;
  roles?: string[];
  disabled?: boolean;
  locale?: UserLocale;
}

export interface UserFilter {
  q?: string;
  role?: string;
  disabled?: boolean;
  offset: number;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VIEW_COLUMNS = `id, email, display_name AS name, roles, NOT active AS disabled, locale,
  last_login_at AS "lastLoginAt", created_at AS "createdAt", updated_at AS "updatedAt"`;
type UserRow = Omit<UserView, 'lastLoginAt' | 'createdAt' | 'updatedAt'> & { lastLoginAt: Date | null; createdAt: Date; updatedAt: Date };

const toView = (row: UserRow): UserView => ({
  ...row,
  lastLoginAt: row.lastLoginAt ? new Date(row.lastLoginAt).toISOString() : null,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Users (G3.3, API.md "Users, roles and audit"): the one place their rules live, for the API and the admin's screens
 * alike — the password policy, known roles only, nobody changes their own roles or disables themselves, the last
 * enabled admin stays. A password change, a disable or a role change ends the user's tokens and admin sessions in the
 * same transaction (the token version), and every change is audited with it.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly roles: RolesService,
    private readonly throttle: LoginThrottle,
    private readonly settings: SettingsService,
  ) {}

  async list(filter: UserFilter): Promise<Omit<Page<UserView>, 'page' | 'pageSize'>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.q) {
      const pattern = param(likePattern(filter.q));
      conditions.push(`(email ILIKE ${pattern} OR display_name ILIKE ${pattern})`);
    }
    if (filter.role) conditions.push(`${param(filter.role)} = ANY(roles)`);
    if (filter.disabled !== undefined) conditions.push(`active = ${param(!filter.disabled)}`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM app_user ${where}`, params);
    const rows = await queryRows<UserRow>(this.db, `SELECT ${VIEW_COLUMNS} FROM app_user ${where} ORDER BY email OFFSET ${param(filter.offset)} LIMIT ${param(filter.limit)}`, params);
    return { items: rows.map(toView), total };
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<UserView> {
    const row = UUID.test(id) ? await queryOne<UserRow>(manager, `SELECT ${VIEW_COLUMNS} FROM app_user WHERE id = $1`, [id]) : undefined;
    if (!row) throw new NotFoundError('User', id);
    return toView(row);
  }

  async create(input: NewUser, by: Acting): Promise<UserView> {
    const email = normaliseEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw ValidationError.of('password', problem);
    const roles = [...new Set(input.roles)];
    const passwordHash = await hashPassword(input.password);
    // issue 14: a user created without a language gets the install's (settings `locale`)
    const locale = input.locale ?? (await this.settings.get()).locale;
    return this.db.transaction(async (manager) => {
      await this.roles.assertGrantable(manager, roles, by.actor, `A user with the roles ${roles.join(', ')}`);
      const [{ id }] = await manager
        .query(`INSERT INTO app_user (email, display_name, password_hash, roles, locale) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
          email, input.name, passwordHash, roles, locale,
        ])
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new ConflictError(`A user with the email ${email} already exists`);
          throw error;
        });
      const user = await this.get(id, manager);
      await this.audit.record({ ...by, action: 'user.create', target: `user:${id}`, details: { email, name: user.name, roles, locale: user.locale } }, manager);
      return user;
    });
  }

  async update(id: string, change: UserChange, by: Acting): Promise<UserView> {
    await this.get(id);
    return this.db.transaction(async (manager) => {
      // the user and every enabled admin, locked in one order: two admins demoting each other cannot both succeed
      const locked = await queryRows<{ id: string; email: string; active: boolean; roles: string[]; name: string; locale: string }>(
        manager,
        `SELECT id, email, active, roles, display_name AS name, locale FROM app_user WHERE id = $1 OR (active AND $2 = ANY(roles)) ORDER BY id FOR UPDATE`,
        [id, ADMIN_ROLE],
      );
      const user = locked.find((row) => row.id === id);
      if (!user) throw new NotFoundError('User', id);
      const self = by.actor.kind === 'user' && by.actor.id === id;
      const roles = change.roles ? [...new Set(change.roles)] : user.roles;
      const rolesChanged = !sameSet(roles, user.roles);
      const active = change.disabled === undefined ? user.active : !change.disabled;
      if (self && rolesChanged) throw new ForbiddenError('Nobody changes their own roles; ask another admin');
      if (self && !active) throw new ForbiddenError('You cannot disable your own account');
      // an account that holds more than the actor is not theirs to change (its password, its roles, ...)
      refuseBeyond(by.actor, await this.roles.permissionsOf(manager, user.roles), `Changing ${user.email}`);
      if (rolesChanged) await this.roles.assertGrantable(manager, roles, by.actor, `Giving the roles ${roles.join(', ')}`);
      const otherAdmins = locked.filter((row) => row.id !== id && row.active && row.roles.includes(ADMIN_ROLE));
      if (user.active && user.roles.includes(ADMIN_ROLE) && !(active && roles.includes(ADMIN_ROLE)) && otherAdmins.length === 0) {
        throw new InvalidStateError('This is the last enabled admin: it cannot be disabled or lose the admin role; make another admin first');
      }

      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const note = (field: string, from: unknown, to: unknown) => {
        if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
      };
      note('name', user.name, change.name ?? user.name);
      if (rolesChanged) changes.roles = { from: user.roles, to: roles };
      note('disabled', !user.active, !active);
      note('locale', user.locale, change.locale ?? user.locale);
      if (Object.keys(changes).length === 0) return this.get(id, manager);

      await manager.query(
        `UPDATE app_user SET display_name = $2, roles = $3, active = $4, locale = $5, updated_at = now() WHERE id = $1`,
        [id, change.name ?? user.name, roles, active, change.locale ?? user.locale],
      );
      if (rolesChanged || !active) await this.endAccess(manager, id);
      await this.audit.record({ ...by, action: 'user.update', target: `user:${id}`, details: { changes } }, manager);
      return this.get(id, manager);
    });
  }

  /** Issue 14: a signed-in user picks the back office's language for themselves (the admin's user menu); audited like a user change. */
  async setOwnLocale(userId: string, locale: UserLocale, by: Acting): Promise<void> {
    await this.db.transaction(async (manager) => {
      const row = await queryOne<{ locale: string }>(manager, `SELECT locale FROM app_user WHERE id = $1 AND active FOR UPDATE`, [userId]);
      if (!row) throw new NotFoundError('User', userId);
      if (row.locale === locale) return;
      await manager.query(`UPDATE app_user SET locale = $2, updated_at = now() WHERE id = $1`, [userId, locale]);
      await this.audit.record({ ...by, action: 'user.update', target: `user:${userId}`, details: { changes: { locale: { from: row.locale, to: locale } } } }, manager);
    });
  }

  /** An admin sets someone else's password (their own goes through changeOwnPassword, with the current one). */
  async setPassword(id: string, password: string, by: Acting): Promise<void> {
    const user = await this.get(id);
    if (by.actor.kind === 'user' && by.actor.id === id) throw new ForbiddenError('Change your own password with your current one: POST /api/auth/password');
    refuseBeyond(by.actor, await this.roles.permissionsOf(this.db.manager, user.roles), `Setting the password of ${user.email}`);
    await this.replacePassword(user, password, { ...by, action: 'user.password_reset' });
  }

  /**
   * A user changes their own password, proving the current one; wrong guesses are throttled like logins. Every token
   * and admin session of the user ends, this request's own included.
   */
  async changeOwnPassword(userId: string, currentPassword: string, newPassword: string, by: Acting): Promise<void> {
    const user = await this.get(userId);
    const [{ passwordHash }] = await this.db.query(`SELECT password_hash AS "passwordHash" FROM app_user WHERE id = $1`, [userId]);
    const subject = { kind: 'account' as const, key: `${user.email}#password-change` };
    const attempt = await this.throttle.claim([subject]);
    if (!(await verifyPassword(passwordHash, currentPassword))) throw ValidationError.of('currentPassword', 'is not your current password');
    await this.throttle.succeeded(attempt, [subject]);
    if (newPassword === currentPassword) throw ValidationError.of('newPassword', 'must differ from the current password');
    await this.replacePassword(user, newPassword, { ...by, action: 'auth.password_change' }, 'newPassword');
  }

  private async replacePassword(user: UserView, password: string, entry: Acting & { action: 'user.password_reset' | 'auth.password_change' }, field = 'password'): Promise<void> {
    const problem = passwordProblem(password, user.email);
    if (problem) throw ValidationError.of(field, problem);
    const passwordHash = await hashPassword(password);
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1`, [user.id, passwordHash]);
      await this.endAccess(manager, user.id);
      await this.audit.record({ ...entry, target: `user:${user.id}`, details: { email: user.email } }, manager);
    });
  }

  /**
   * Ends every access token (the workflow pages' short ones too) and admin session of the user: the token version
   * moves on, which every request compares; the rows go as well.
   */
  private async endAccess(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [userId]);
    await manager.query(`DELETE FROM access_token WHERE user_id = $1`, [userId]);
    // the admin's express-session rows (admin-session.ts stamps each signed-in session with its user)
    await manager.query(`DELETE FROM admin_session WHERE sess::jsonb #>> '{oms,userId}' = $1`, [userId]);
  }
}
