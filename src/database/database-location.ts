import { Logger } from '@nestjs/common';
import type { PGlite } from '@electric-sql/pglite';
import type { AppConfig } from '../config/config';
import { EMBEDDED_POOL_SIZE, EmbeddedPostgres } from './embedded-postgres';

/** Injection token for where the database is. */
export const DATABASE_LOCATION = Symbol('DATABASE_LOCATION');

export interface DatabaseLocation {
  url: string;
  embedded: boolean;
  poolSize: number;
  /** The embedded database (PGlite) when it is this process's own; null on an external PostgreSQL. */
  pglite: PGlite | null;
  /** Stops the embedded server (after the app has closed its pool); a no-op for an external PostgreSQL. */
  close(): Promise<void>;
}

/** With DATABASE_URL, that PostgreSQL; without it, an embedded PostgreSQL (PGlite) whose data lives in DATA_DIR. */
export async function locateDatabase(config: AppConfig): Promise<DatabaseLocation> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, poolSize: 20, pglite: null, close: async () => undefined };
  }
  const started = Date.now();
  const server = await EmbeddedPostgres.start(config.DATA_DIR);
  new Logger('Database').log(`embedded PostgreSQL (PGlite) in ${config.DATA_DIR} ready in ${Date.now() - started} ms`);
  return { url: server.url, embedded: true, poolSize: EMBEDDED_POOL_SIZE, pglite: server.pglite, close: () => server.stop() };
}
