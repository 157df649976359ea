import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { type Actor, SYSTEM_ACTOR } from '../common/actor';
import { isUniqueViolation, RateLimitedError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { queryOne } from '../database/sql';
import { API_KEY_PREFIX, sha256 } from './api-keys.service';
import { normaliseEmail, passwordProblem } from './credentials-policy';
import { DeviceCookies } from './device-cookie';
import { LoginThrottle, type ThrottleSubject } from './login-throttle';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './password-hasher';
import { PERMISSION_CATALOGUE } from './permission-catalogue';
import type { UserLocale } from './user.entity';
import { UsersService } from './users.service';

export interface LoginResult {
  accessToken: string;
  expiresAt: string;
  user: { id: string; email: string; roles: string[] };
}

/** Who signed in, with the token version their tokens and admin session are stamped with. */
export interface SignedIn {
  user: LoginResult['user'] & { tokenVersion: number };
  /** A fresh device cookie for this account (see DeviceCookies); the caller sets it on the response. */
  deviceCookie: string;
}

/** Where a login comes from. */
export interface LoginClient {
  ip: string;
  deviceCookie?: string;
  channel: 'api' | 'admin';
}

export interface MeView {
  kind: Actor['kind'];
  id: string;
  email?: string;
  name: string;
  roles: string[];
  permissions: string[];
  locale?: UserLocale;
}

const USER_TOKEN_PREFIX = 'oms_';
const TOKEN_FORMAT = /^omsk?_[A-Za-z0-9_-]{20,100}$/;
/** An API key's last use is written at most this often: not a write per request. */
const LAST_USED_GRANULARITY_SECONDS = 60;
const SYSTEM: Acting = { actor: SYSTEM_ACTOR, ip: null };
const THROTTLED_AUDIT_SECONDS = 60;

interface TokenRow {
  id: string;
  name: string;
  roles: string[];
  permissions: string[] | null;
  lastUsedStale?: boolean;
}

/**
 * Sign-in and bearer tokens (G3.3): logins throttled with growing delays, access tokens and API keys resolved with
 * their revocation on every request in one indexed query, logout, the first admin.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly throttle: LoginThrottle,
    private readonly devices: DeviceCookies,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  async login(email: string, password: string, client: LoginClient): Promise<LoginResult & { deviceCookie: string }> {
    const { user, deviceCookie } = await this.checkCredentials(email, password, client);
    const { token, expiresAt } = await this.issueAccessToken(user.id, { tokenVersion: user.tokenVersion });
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: { id: user.id, email: user.email, roles: user.roles }, deviceCookie };
  }

  /**
   * The API's login and the admin's login form share this: same users, same throttling, same audit entries. The email
   * is normalised once (lookup and throttle key alike); the password is taken exactly as typed.
   */
  async checkCredentials(rawEmail: string, password: string, client: LoginClient): Promise<SignedIn> {
    const email = normaliseEmail(rawEmail);
    const device = await this.devices.verify(client.deviceCookie, email);
    // a device that signed in to this account before is judged by its own failures only
    const subjects: ThrottleSubject[] = device ? [{ kind: 'device', key: device }] : [{ kind: 'account', key: email }, { kind: 'address', key: client.ip }];
    const failed = (reason: string) => this.audit.record({ actor: { kind: 'anonymous', name: email }, ip: client.ip, action: 'auth.login_failed', details: { reason, channel: client.channel, knownDevice: device !== null } });

    const attempt = await this.throttle.claim(subjects).catch(async (error: unknown) => {
      // a flood of throttled attempts is recorded once a minute per account and per address, not once a request
      const flood = error instanceof RateLimitedError && (await this.audit.seenRecently('auth.login_failed', 'throttled', { actor: email, ip: client.ip }, THROTTLED_AUDIT_SECONDS));
      if (error instanceof RateLimitedError && !flood) await failed('throttled');
      throw error;
    });
    const user = await queryOne<{ id: string; email: string; roles: string[]; passwordHash: string; tokenVersion: number }>(
      this.db,
      `SELECT id, email, roles, password_hash AS "passwordHash", token_version AS "tokenVersion" FROM app_user WHERE email = $1 AND active`,
      [email],
    );
    const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstNothing(password);
    if (!user || !valid) {
      await failed('invalid_credentials'); // the claimed attempt stays as the failure
      throw new UnauthorizedError('The email or password is wrong', 'invalid_credentials');
    }
    await this.throttle.succeeded(attempt, device ? subjects : [subjects[0]]);
    await this.db.query(`UPDATE app_user SET last_login_at = now() WHERE id = $1`, [user.id]);
    await this.audit.record({ actor: { kind: 'user', id: user.id, name: user.email }, ip: client.ip, action: 'auth.login', target: `user:${user.id}`, details: { channel: client.channel, knownDevice: device !== null } });
    return { user: { id: user.id, email: user.email, roles: user.roles, tokenVersion: user.tokenVersion }, deviceCookie: await this.devices.issue(email) };
  }

  /**
   * A bearer token for an enabled user, stamped with their token version (`tokenVersion`: the one the caller saw, so a
   * password change in between voids it); pages of the admin ask for short-lived ones tied to their admin session.
   */
  async issueAccessToken(
    userId: string,
    options: { ttlMinutes?: number; tokenVersion?: number; adminSessionId?: string } = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = `${USER_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + (options.ttlMinutes ?? this.config.ACCESS_TOKEN_TTL_MINUTES) * 60_000);
    const issued = await this.db.query(
      `INSERT INTO access_token (user_id, token_hash, expires_at, token_version, admin_session_id)
       SELECT id, $2, $3, token_version, $5 FROM app_user WHERE id = $1 AND active AND ($4::int IS NULL OR token_version = $4) RETURNING id`,
      [userId, sha256(token), expiresAt, options.tokenVersion ?? null, options.adminSessionId ?? null],
    );
    if (issued.length === 0) throw new UnauthorizedError('The account is disabled or its sessions were ended; sign in again');
    return { token, expiresAt };
  }

  /**
   * Resolves a bearer token to who is acting, with revocation checked in the same indexed query: a user's token only
   * while the user is enabled and of the user's current token version; an API key only while neither revoked nor expired.
   * Permissions are read per request, so a role change applies at once.
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (!TOKEN_FORMAT.test(token)) return null;
    const isKey = token.startsWith(API_KEY_PREFIX);
    const row = isKey
      ? await queryOne<TokenRow>(
          this.db,
          `SELECT k.id, 'api-key:' || k.name AS name, k.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(k.roles)) AS permissions,
                  (k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => $2)) AS "lastUsedStale"
             FROM api_key k WHERE k.token_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
          [sha256(token), LAST_USED_GRANULARITY_SECONDS],
        )
      : await queryOne<TokenRow>(
          this.db,
          `SELECT u.id, u.email AS name, u.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions
             FROM access_token t JOIN app_user u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.expires_at > now() AND u.active AND t.token_version = u.token_version`,
          [sha256(token)],
        );
    if (!row) return null;
    if (row.lastUsedStale) {
      // once a minute per key at most; the condition keeps processes racing for it to one write
      await this.db.query(`UPDATE api_key SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`, [
        row.id, LAST_USED_GRANULARITY_SECONDS,
      ]);
    }
    return { kind: isKey ? 'api_key' : 'user', id: row.id, name: row.name, roles: row.roles, permissions: new Set(row.permissions ?? []) };
  }

  /**
   * POST /api/auth/logout: this access token answers 401 from now on. An API key does not sign out (409): it is an
   * integration's standing credential, revoked by an admin (DELETE /api/api-keys/{id}), not by a stray call.
   */
  /** API.md: that token answers 401 from then on — a user's access token is deleted, an API key revoked (its integration signs off). */
  async logout(token: string, by: Acting): Promise<void> {
    if (by.actor.kind === 'api_key') {
      await this.db.transaction(async (manager) => {
        const revoked = await manager.query(`UPDATE api_key SET revoked_at = now(), revoked_by = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id`, [sha256(token), by.actor.name]);
        if (revoked.length > 0) await this.audit.record({ ...by, action: 'api_key.revoke', target: `api_key:${by.actor.id}`, details: { name: by.actor.name, by: 'logout' } }, manager);
      });
      return;
    }
    await this.db.query(`DELETE FROM access_token WHERE token_hash = $1`, [sha256(token)]);
    await this.audit.record({ ...by, action: 'auth.logout', target: `user:${by.actor.id}`, details: { channel: 'api' } });
  }

  /** GET /api/auth/me: the signed-in user (or API key) with every permission it holds now (`*` spelled out). */
  async me(actor: Actor): Promise<MeView> {
    const permissions = actor.permissions.has('*') ? PERMISSION_CATALOGUE.map((info) => info.code) : [...actor.permissions].sort();
    if (actor.kind !== 'user') return { kind: actor.kind, id: actor.id, name: actor.name, roles: actor.roles, permissions };
    const user = await this.users.get(actor.id);
    return { kind: 'user', id: user.id, email: user.email, name: user.name, roles: user.roles, permissions, locale: user.locale };
  }

  /** API.md: when the users table is empty at start, create the first admin (or print a generated password once). */
  async ensureFirstAdmin(): Promise<{ email: string; password?: string } | null> {
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM app_user`);
    if (count > 0) return null;
    const email = normaliseEmail(this.config.ADMIN_EMAIL);
    const generated = this.config.ADMIN_PASSWORD === undefined;
    const password = this.config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    const problem = passwordProblem(password, email);
    if (problem) throw new Error(`ADMIN_PASSWORD ${problem}`); // the configuration refuses it already; a last guard
    const passwordHash = await hashPassword(password);
    try {
      const created = await this.db.transaction(async (manager) => {
        const inserted = await manager.query(
          `INSERT INTO app_user (email, display_name, password_hash, roles, locale)
           SELECT $1, 'Administrator', $2, '{admin}', $3 WHERE NOT EXISTS (SELECT 1 FROM app_user) RETURNING id`,
          [email, passwordHash, this.config.DEFAULT_LOCALE],
        );
        if (inserted.length === 0) return false;
        await this.audit.record({ ...SYSTEM, action: 'user.create', target: `user:${inserted[0].id}`, details: { email, roles: ['admin'], firstAdmin: true } }, manager);
        return true;
      });
      if (!created) return null;
    } catch (error) {
      if (isUniqueViolation(error)) return null; // another process created it at the same moment
      throw error;
    }
    this.logger.log(`created the first admin ${email}`);
    return { email, password: generated ? password : undefined };
  }

  /** A user created by the system (setup, tests): the same rules as the API's POST /api/users. */
  async createUser(email: string, password: string, roles: string[], displayName = ''): Promise<string> {
    return (await this.users.create({ email, name: displayName, password, roles }, SYSTEM)).id;
  }
}
