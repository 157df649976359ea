import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import connectPgSimple from 'connect-pg-simple';
import session, { type SessionOptions } from 'express-session';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';

export const ADMIN_COOKIE_NAME = 'oms_admin';
/** Created by the foundation migration in connect-pg-simple's layout (sid, sess, expire). */
export const ADMIN_SESSION_TABLE = 'admin_session';
/** The embedded database (PGlite over a socket) has few connections to give: sessions get two. */
const SESSION_POOL_SIZE = 2;

/** Admin sessions live in PostgreSQL (STACK "admin"), so they survive restarts and are shared by every app process. */
@Injectable()
export class AdminSessionStore implements OnApplicationShutdown {
  private readonly logger = new Logger('AdminSession');
  private readonly pool: Pool;
  readonly store: connectPgSimple.PGStore;

  constructor(
    @Inject(DATABASE_LOCATION) location: DatabaseLocation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pool = new Pool({ connectionString: location.url, max: SESSION_POOL_SIZE, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 15_000 });
    this.pool.on('error', (error) => this.logger.error(`session pool: ${error.message}`));
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

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    await this.pool.end();
  }
}

@Module({
  providers: [AdminSessionStore],
  exports: [AdminSessionStore],
})
export class AdminSessionModule {}
