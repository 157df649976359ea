import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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
    private readonly lockFile: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const pgdata = join(resolve(dataDir), 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    const lockFile = join(resolve(dataDir), 'oms.lock');
    takeLock(lockFile, dataDir);
    let db: PGlite;
    try {
      db = await PGlite.create({ dataDir: pgdata });
    } catch (error) {
      rmSync(lockFile, { force: true });
      throw error;
    }
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const address = server.getServerConn(); // "127.0.0.1:PORT"
    return new EmbeddedPostgres(db, server, `postgres://postgres@${address}/postgres`, lockFile);
  }

  /** The database itself, for what only PGlite does (its data-dir dump: backups). */
  get pglite(): PGlite {
    return this.db;
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close().catch(() => undefined);
    rmSync(this.lockFile, { force: true });
  }
}

/** The embedded data dir belongs to one process: a second one would corrupt it. A lock left by a dead process is taken over. */
export class DataDirInUseError extends Error {}

function takeLock(lockFile: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `DATA_DIR ${dataDir} is in use by another OMS process (pid ${holder}); the embedded database serves one process. Stop it, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL between processes.`,
        );
      }
      rmSync(lockFile, { force: true }); // stale: its process is gone (a crash or kill -9)
    }
  }
  throw new DataDirInUseError(`could not lock ${lockFile}`);
}

/** Whether a process with this id runs (one of another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
