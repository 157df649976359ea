import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { isUniqueViolation, RateLimitedError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './password-hasher';

/** G3.3 login throttling: failures counted per account and per client address in a sliding window. */
export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;

export interface LoginResult {
  accessToken: string;
  expiresAt: string;
  user: { id: string; email: string; roles: string[] };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string, clientAddress: string): Promise<LoginResult> {
    const user = await this.checkCredentials(email, password, clientAddress);
    const { token, expiresAt } = await this.issueAccessToken(user.id);
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user };
  }

  /** The API's login and the admin's login form share this: same users, same throttling. */
  async checkCredentials(email: string, password: string, clientAddress: string): Promise<LoginResult['user']> {
    const account = `account:${email.trim().toLowerCase()}`;
    const address = `address:${clientAddress}`;
    const attempt = await this.claimAttempt(account, address);

    const [user] = await this.db.query(
      `SELECT id, email, roles, password_hash AS "passwordHash" FROM app_user WHERE lower(email) = lower($1) AND active`,
      [email.trim()],
    );
    const valid = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstNothing(password);
    if (!valid) throw new UnauthorizedError('The email or password is wrong', 'invalid_credentials'); // the claimed attempt stays as the failure
    await this.db.query(`DELETE FROM login_failure WHERE subject = $1 OR id = ANY($2::bigint[])`, [account, attempt]);
    await this.db.query(`UPDATE app_user SET last_login_at = now() WHERE id = $1`, [user.id]);
    return { id: user.id, email: user.email, roles: user.roles };
  }

  /**
   * Records the attempt as a failure before the password is checked, then counts: of any attempts racing each
   * other, the last to commit sees all of them, so parallel guesses cannot slip past the limit. A refused attempt
   * takes its rows back (a throttled attempt is not a failure); a successful one deletes them.
   */
  private async claimAttempt(account: string, address: string): Promise<string[]> {
    const claimed: Array<{ id: string }> = await this.db.query(`INSERT INTO login_failure (subject) VALUES ($1), ($2) RETURNING id`, [account, address]);
    const ids = claimed.map((row) => String(row.id));
    try {
      await this.refuseWhenThrottled(account, address);
    } catch (error) {
      await this.db.query(`DELETE FROM login_failure WHERE id = ANY($1::bigint[])`, [ids]);
      throw error;
    }
    return ids;
  }

  /** Counts this attempt's own claimed rows: more than the limit means the limit was reached before it. */
  private async refuseWhenThrottled(account: string, address: string): Promise<void> {
    const rows: Array<{ subject: string; failures: number; oldest: Date }> = await this.db.query(
      `SELECT subject, count(*)::int AS failures, min(at) AS oldest FROM login_failure
        WHERE subject IN ($1, $2) AND at > now() - make_interval(secs => $3) GROUP BY subject`,
      [account, address, LOGIN_WINDOW_SECONDS],
    );
    for (const row of rows) {
      const limit = row.subject === account ? MAX_FAILURES_PER_ACCOUNT : MAX_FAILURES_PER_ADDRESS;
      if (row.failures > limit) {
        const retryAfter = Math.max(1, Math.ceil((new Date(row.oldest).getTime() + LOGIN_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
        throw new RateLimitedError(`Too many failed logins; try again in ${Math.ceil(retryAfter / 60)} minute(s)`, retryAfter);
      }
    }
  }

  /** A bearer token for the user; pages of the admin ask for short-lived ones (`ttlMinutes`) and renew them. */
  async issueAccessToken(userId: string, ttlMinutes = this.config.ACCESS_TOKEN_TTL_MINUTES): Promise<{ token: string; expiresAt: Date }> {
    const token = `oms_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
    await this.db.query(`INSERT INTO access_token (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`, [userId, sha256(token), expiresAt]);
    return { token, expiresAt };
  }

  async createApiKey(name: string, roles: string[], createdBy: string): Promise<{ id: string; name: string; roles: string[]; key: string }> {
    const key = `omsk_${randomBytes(32).toString('base64url')}`;
    const [row] = await this.db.query(`INSERT INTO api_key (name, token_hash, roles, created_by) VALUES ($1, $2, $3, $4) RETURNING id`, [
      name, sha256(key), roles, createdBy,
    ]);
    return { id: row.id, name, roles, key };
  }

  /** Resolves a bearer token (a user's access token or an integration's API key) to who is acting. */
  async authenticate(token: string): Promise<Actor | null> {
    if (!/^omsk?_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const hash = sha256(token);
    const rows: Array<{ id: string; name: string; roles: string[]; permissions: string[] | null }> = token.startsWith('omsk_')
      ? await this.db.query(
          `SELECT k.id, 'api-key:' || k.name AS name, k.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(k.roles)) AS permissions
             FROM api_key k WHERE k.token_hash = $1 AND k.revoked_at IS NULL`,
          [hash],
        )
      : await this.db.query(
          `SELECT u.id, u.email AS name, u.roles,
                  (SELECT array_agg(DISTINCT p) FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions
             FROM access_token t JOIN app_user u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.expires_at > now() AND u.active`,
          [hash],
        );
    const row = rows[0];
    if (!row) return null;
    return {
      kind: token.startsWith('omsk_') ? 'api_key' : 'user',
      id: row.id,
      name: row.name,
      roles: row.roles,
      permissions: new Set(row.permissions ?? []),
    };
  }

  /** API.md: when the users table is empty at start, create the first admin (or print a generated password once). */
  async ensureFirstAdmin(): Promise<{ email: string; password?: string } | null> {
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM app_user`);
    if (count > 0) return null;
    const generated = this.config.ADMIN_PASSWORD === undefined;
    const password = this.config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    try {
      const inserted = await this.db.query(
        `INSERT INTO app_user (email, display_name, password_hash, roles)
         SELECT $1, 'Administrator', $2, '{admin}' WHERE NOT EXISTS (SELECT 1 FROM app_user) RETURNING id`,
        [this.config.ADMIN_EMAIL, await hashPassword(password)],
      );
      if (inserted.length === 0) return null;
    } catch (error) {
      if (isUniqueViolation(error)) return null; // another process created it at the same moment
      throw error;
    }
    this.logger.log(`created the first admin ${this.config.ADMIN_EMAIL}`);
    return { email: this.config.ADMIN_EMAIL, password: generated ? password : undefined };
  }

  async createUser(email: string, password: string, roles: string[], displayName = ''): Promise<string> {
    const [row] = await this.db.query(
      `INSERT INTO app_user (email, display_name, password_hash, roles) VALUES ($1, $2, $3, $4) RETURNING id`,
      [email.trim().toLowerCase(), displayName, await hashPassword(password), roles],
    );
    return row.id;
  }
}
