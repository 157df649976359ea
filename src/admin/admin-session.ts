import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import connectPgSimple from 'connect-pg-simple';
import type { RequestHandler } from 'express';
import session, { type SessionOptions } from 'express-session';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';

export const ADMIN_COOKIE_NAME = 'oms_admin';
/** Persistent random secret (SetupService) signing the admin session cookie. */
export const ADMIN_SESSION_SECRET = 'admin-session';
/** Created by the foundation migration in connect-pg-simple's layout (sid, sess, expire). */
export const ADMIN_SESSION_TABLE = 'admin_session';
/** On PostgreSQL, sessions have their own small pool, so a busy app pool never blocks a page load. */
const SESSION_POOL_SIZE = 2;

/** Admin sessions live in PostgreSQL (STACK "admin"), so they survive restarts and are shared by every app process. */
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
    this.store = new PgStore({
      pool: this.pool,
      tableName: ADMIN_SESSION_TABLE,
      createTableIfMissing: false,
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
        // a signed-in admin session lasts as long as an API access token
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

  /** Signs a user out of the admin everywhere (deactivated, roles or password changed). */
  async endSessionsOf(userId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${ADMIN_SESSION_TABLE} WHERE sess::jsonb -> 'adminUser' ->> 'id' = $1`, [userId]);
  }

  /** Signs out everyone holding a role whose permissions changed, so their next login picks up the new set. */
  async endSessionsWithRole(role: string, keepUserId?: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM ${ADMIN_SESSION_TABLE}
        WHERE (sess::jsonb -> 'adminUser' -> 'roles') ? $1 AND (sess::jsonb -> 'adminUser' ->> 'id') IS DISTINCT FROM $2`,
      [role, keepUserId ?? null],
    );
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
