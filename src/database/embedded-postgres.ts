import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * One connection: pglite-socket multiplexes connections per protocol message, not per query, so two
 * connections running extended-protocol queries at once corrupt each other's portals ("portal does not
 * exist"). With one pooled connection every query and transaction takes its turn. Anything else that
 * needs the database (the admin's session store) must use this same pool.
 */
export const EMBEDDED_POOL_SIZE = 1;

/**
 * PostgreSQL compiled to WASM (PGlite), served over the Postgres wire protocol on a loopback port so
 * that the app uses the same `pg` driver, SQL and migrations as against a real server.
 * Data lives in DATA_DIR/pgdata and survives restarts.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const pgdata = join(resolve(dataDir), 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    const db = await PGlite.create({ dataDir: pgdata });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const address = server.getServerConn(); // "127.0.0.1:PORT"
    return new EmbeddedPostgres(db, server, `postgres://postgres@${address}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close().catch(() => undefined);
  }
}
