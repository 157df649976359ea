import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import connectPgSimple from 'connect-pg-simple';
import type { RequestHandler } from 'express';
import session, { type SessionData, type SessionOptions } from 'express-session';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';
import { DEFAULT_SETTINGS } from '../settings/settings.schema';
import { SETTINGS_KEY } from '../settings/settings.service';
import type { OmsCurrentAdmin } from './admin-access';
import { judgeAdminSession, type SessionEnd, type SignInStamp } from './admin-session-policy';

export const ADMIN_COOKIE_NAME = 'oms_admin';
/** Persistent random secret (SetupService) signing the admin session cookie. */
export const ADMIN_SESSION_SECRET = 'admin-session';
/** Created by the foundation migration in connect-pg-simple's layout (sid, sess, expire). */
export const ADMIN_SESSION_TABLE = 'admin_session';
/** On PostgreSQL, sessions have their own small pool, so a busy app pool never blocks a page load. */
const SESSION_POOL_SIZE = 2;

/** One row of the session lookup: the stored session with its user as the database has it now. */
interface SessionRow {
  sess: string | StoredSession;
  userId: string | null;
  email: string;
  displayName: string;
  roles: string[];
  permissions: string[];
  active: boolean;
  locale: string;
  tokenVersion: number;
  idleMinutes: number | null;
  timeZone: string | null;
}

type StoredSession = SessionData & { adminUser?: OmsCurrentAdmin; oms?: SignInStamp };

/**
 * The session, its user, the user's permissions and the idle limit in one query: every admin request is checked against
 * the database (disabled, token version, idle, absolute) and sees its roles' permissions as they are now.
 */
const LOAD_SESSION = `
  SELECT s.sess, u.id AS "userId", u.email, u.display_name AS "displayName", u.roles, u.active, u.locale, u.token_version AS "tokenVersion",
         (SELECT coalesce(array_agg(DISTINCT p ORDER BY p), '{}') FROM role r, unnest(r.permissions) p WHERE r.name = ANY(u.roles)) AS permissions,
         (st.value #>> '{security,adminSessionIdleMinutes}')::int AS "idleMinutes", st.value ->> 'timeZone' AS "timeZone"
    FROM ${ADMIN_SESSION_TABLE} s LEFT JOIN app_user u ON u.id = (s.sess::jsonb #>> '{oms,userId}')::uuid
         LEFT JOIN app_setting st ON st.key = $2
   WHERE s.sid = $1 AND s.expire >= now()`;

/**
 * Admin sessions live in PostgreSQL (STACK "admin"), so they survive restarts and are shared by every app process.
 * The store checks each session as it loads it (admin-session-policy.ts): an ended one is deleted and the request
 * goes to the login, and a signed-in one gets its user's roles and permissions as they are now (issue 11 item 3).
 */
@Injectable()
export class AdminSessionStore implements OnApplicationShutdown {
  private readonly logger = new Logger('AdminSession');
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  readonly store: connectPgSimple.PGStore;

  constructor(
    @Inject(DATABASE_LOCATION) location: DatabaseLocation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() db: DataSource,
    private readonly audit: AuditService,
  ) {
    // The embedded database must be used through the app's single pooled connection: pglite-socket mixes up the
    // protocol messages of concurrent connections (see embedded-postgres.ts). Session queries never run inside an
    // app transaction, so sharing that connection cannot deadlock (STACK trap 8).
    this.ownsPool = !location.embedded;
    this.pool = location.embedded
      ? ((db.driver as PostgresDriver).master as Pool)
      : new Pool({ connectionString: location.url, max: SESSION_POOL_SIZE, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 15_000 });
    if (this.ownsPool) this.pool.on('error', (error) => this.logger.error(`session pool: ${error.message}`));
    const PgStore = connectPgSimple(session);
    const load = (sid: string) => this.load(sid);
    const end = (sid: string) => this.end(sid, 'signed_out');
    /** connect-pg-simple's store, with every load checked and every destroy ending the session's page tokens too. */
    class CheckedPgStore extends PgStore {
      override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
        load(sid).then((loaded) => callback(null, loaded), (error: unknown) => callback(error));
      }

      override destroy(sid: string, callback?: (error?: unknown) => void): void {
        end(sid).then(() => callback?.(), (error: unknown) => callback?.(error));
      }
    }
    this.store = new CheckedPgStore({
      pool: this.pool,
      tableName: ADMIN_SESSION_TABLE,
      createTableIfMissing: false,
      // activity is recorded by load() once a minute, not by a write per request
      disableTouch: true,
      errorLog: (...args: unknown[]) => this.logger.error(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ')),
    });
  }

  /** express-session options for @adminjs/express; `secret` is the persistent `admin-session` secret. */
  sessionOptions(secret: string): SessionOptions {
    return {
      store: this.store,
      secret,
      name: ADMIN_COOKIE_NAME,
      resave: false,
      saveUninitialized: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        // secure whenever the request came over HTTPS (directly or through the trusted proxy)
        secure: 'auto',
        path: '/admin',
        // the absolute limit (load() enforces it too, whatever the browser keeps): as long as an API access token
        maxAge: this.config.ACCESS_TOKEN_TTL_MINUTES * 60_000,
      },
    };
  }

  /**
   * The admin session for routes outside AdminJS's own router (the workflow pages under /admin/workflow-ui): the same
   * store, secret and cookie as @adminjs/express builds from `sessionOptions`. A request that AdminJS's router has
   * already given a session passes straight through (express-session skips when `req.session` is set).
   */
  middleware(secret: string): RequestHandler {
    this.sessionMiddleware ??= session(this.sessionOptions(secret));
    return this.sessionMiddleware;
  }

  private sessionMiddleware?: RequestHandler;

  /** The stored session if it may serve this request, with its user's roles and permissions as they are now; else null. */
  private async load(sid: string): Promise<StoredSession | null> {
    const { rows } = await this.pool.query<SessionRow>(LOAD_SESSION, [sid, SETTINGS_KEY]);
    const row = rows[0];
    if (!row) return null;
    const stored: StoredSession = typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess;
    const now = Date.now();
    const verdict = judgeAdminSession(stored, row.userId ? row : null, now, {
      idleMinutes: row.idleMinutes ?? DEFAULT_SETTINGS.security.adminSessionIdleMinutes,
      absoluteMinutes: this.config.ACCESS_TOKEN_TTL_MINUTES,
    });
    if (!verdict.keep) {
      await this.end(sid, verdict.reason);
      return null;
    }
    if (stored.adminUser && row.userId) {
      stored.adminUser = {
        ...stored.adminUser,
        email: row.email,
        title: row.displayName || row.email,
        roles: row.roles,
        permissions: row.permissions,
        locale: row.locale,
        // issue 14: the admin shows times in the shop's time zone (the one the reports count days in), not the browser's
        timeZone: row.timeZone ?? DEFAULT_SETTINGS.timeZone,
      };
    }
    if (verdict.touch && stored.oms) {
      stored.oms.lastSeenAt = now;
      await this.pool.query(`UPDATE ${ADMIN_SESSION_TABLE} SET sess = jsonb_set(sess::jsonb, '{oms,lastSeenAt}', to_jsonb($2::bigint))::json WHERE sid = $1`, [sid, now]);
    }
    return stored;
  }

  /** Deletes the session and the workflow-page tokens handed to it; a signed-in session's logout is audited. */
  private async end(sid: string, reason: SessionEnd | 'signed_out'): Promise<void> {
    const { rows } = await this.pool.query<{ sess: string | StoredSession }>(`DELETE FROM ${ADMIN_SESSION_TABLE} WHERE sid = $1 RETURNING sess`, [sid]);
    await this.pool.query(`DELETE FROM access_token WHERE admin_session_id = $1`, [sid]);
    const ended: StoredSession | undefined = rows[0] && (typeof rows[0].sess === 'string' ? JSON.parse(rows[0].sess) : rows[0].sess);
    const user = ended?.adminUser;
    if (reason === 'signed_out' && user && ended?.oms) {
      await this.audit.record({ actor: { kind: 'user', id: user.id, name: user.email }, action: 'auth.logout', target: `user:${user.id}`, details: { channel: 'admin' } });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    if (this.ownsPool) await this.pool.end();
  }
}

@Module({
  providers: [AdminSessionStore],
  exports: [AdminSessionStore],
})
export class AdminSessionModule {}
