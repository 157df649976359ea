import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The pool size the app uses; the embedded server must accept at least this many connections (STACK trap 7). */
export const EMBEDDED_POOL_SIZE = 8;

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
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_POOL_SIZE + 4 });
    await server.start();
    const address = server.getServerConn(); // "127.0.0.1:PORT"
    return new EmbeddedPostgres(db, server, `postgres://postgres@${address}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close().catch(() => undefined);
  }
}
