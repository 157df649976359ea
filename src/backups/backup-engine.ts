import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { createScratchDatabase } from '../database/database-url';
import { type BackupKey, decryptStream, ENCRYPTED_MAGIC, encryptStream } from './backup-crypto';
import { type BackupManifest, readManifest, type RunQuery } from './backup-manifest';

/** Where a backup is taken from: a PostgreSQL server (pg_dump), or the embedded database of this process (PGlite's dump). */
export type BackupSource = { engine: 'postgresql'; url: string } | { engine: 'pglite'; db: PGlite };
export type BackupFormat = 'pg_dump' | 'pglite';

export interface TakenBackup {
  sizeBytes: number;
  sha256: string;
  manifest: BackupManifest;
  keyId: string | null;
  format: BackupFormat;
}

const PG_DUMP_MAGIC = Buffer.from('PGDMP');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const STDERR_KEEP = 4000;

/** `pg_dump`/`pg_restore` as found on PATH, or where PG_BIN_DIR says (a newer client beside the distribution's). */
const pgTool = (name: 'pg_dump' | 'pg_restore') => (process.env.PG_BIN_DIR ? join(process.env.PG_BIN_DIR, name) : name);

/** pg_dump/pg_restore's `--dbname` without the password, which goes in their environment instead (not in `ps`). */
function pgToolTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

const pgQuery = (client: Client): RunQuery => async (sql) => (await client.query(sql)).rows;
const pgliteQuery = (db: PGlite): RunQuery => async (sql) => (await db.query<Record<string, unknown>>(sql)).rows;

/**
 * Takes a backup into `finalPath`: the dump streams through the encryption (with a key) into `tempPath`, is fsync'd,
 * and only then renamed to `finalPath` (and the directory fsync'd), so that a crash at any moment leaves no file under
 * the final name. Returns its size, sha256 and the manifest of what it holds.
 */
export async function takeBackup(
  source: BackupSource,
  paths: { tempPath: string; finalPath: string },
  key: BackupKey | null,
  beforeRename?: () => void,
): Promise<TakenBackup> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  const file = createWriteStream(paths.tempPath, { flags: 'wx', mode: 0o600 });
  const write = (dump: Readable) => pipeline(key ? [dump, encryptStream(key), tap, file] : [dump, tap, file]);
  let manifest: BackupManifest;
  let format: BackupFormat;
  try {
    if (source.engine === 'postgresql') {
      format = 'pg_dump';
      manifest = await dumpPostgres(source.url, write);
    } else {
      format = 'pglite';
      manifest = await dumpPglite(source.db, write);
    }
    await fsyncPath(paths.tempPath);
    beforeRename?.();
    await rename(paths.tempPath, paths.finalPath);
    await fsyncPath(dirname(paths.finalPath));
  } catch (error) {
    await rm(paths.tempPath, { force: true });
    throw error;
  }
  return { sizeBytes, sha256: hash.digest('hex'), manifest, keyId: key?.id ?? null, format };
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The client must be at least the server's major version (an older pg_dump refuses a newer server). */
export async function checkPgToolVersion(client: Client, tool: 'pg_dump' | 'pg_restore'): Promise<void> {
  const [{ server }] = (await client.query(`SELECT current_setting('server_version_num')::int / 10000 AS server`)).rows;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(pgTool(tool), ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.once('error', (error) => reject(new Error(`${tool} is not installed (install postgresql-client ${server} or newer, or set PG_BIN_DIR): ${error.message}`)));
    child.once('close', () => resolve(text));
  });
  const client_major = Number(/(\d+)(?:\.\d+)?/.exec(output)?.[1] ?? 0);
  if (client_major < Number(server)) {
    throw new Error(`${tool} ${client_major} is older than the PostgreSQL server (${server}): install postgresql-client-${server} or newer (PG_BIN_DIR may point at its bin directory)`);
  }
}

/** pg_dump in custom format, in a snapshot exported by the transaction that reads the manifest: both see the same data. */
async function dumpPostgres(url: string, write: (dump: Readable) => Promise<void>): Promise<BackupManifest> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await checkPgToolVersion(client, 'pg_dump');
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query('SET LOCAL statement_timeout = 0');
    const [{ snapshot }] = (await client.query('SELECT pg_export_snapshot() AS snapshot')).rows;
    const target = pgToolTarget(url);
    const child = spawn(pgTool('pg_dump'), ['--format=custom', `--snapshot=${snapshot}`, '--no-sync', `--dbname=${target.dbname}`], { stdio: ['ignore', 'pipe', 'pipe'], env: target.env });
    const done = childDone(child, 'pg_dump');
    try {
      const [manifest] = await Promise.all([readManifest(pgQuery(client), 'postgresql'), write(child.stdout), done]);
      await client.query('COMMIT');
      return manifest;
    } catch (error) {
      child.kill('SIGTERM'); // the file is going away: no dump left writing into nothing
      await done.catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PGlite's own dump (a gzipped tar of its data directory, taken between two of its statements). The manifest is read from
 * the dumped image itself, opened in memory, so it describes exactly what the file holds: the live database's single
 * connection cannot hold a snapshot beside the app. PGlite hands the dump over as one Blob (its API has no stream); the
 * embedded database is the small-install one, and the Blob is streamed from there on.
 */
async function dumpPglite(db: PGlite, write: (dump: Readable) => Promise<void>): Promise<BackupManifest> {
  const image = await db.dumpDataDir('gzip');
  const copy = await PGlite.create({ loadDataDir: image });
  let manifest: BackupManifest;
  try {
    manifest = await readManifest(pgliteQuery(copy), 'pglite');
  } finally {
    await copy.close();
  }
  await write(Readable.fromWeb(image.stream() as import('node:stream/web').ReadableStream));
  return manifest;
}

function childDone(child: ReturnType<typeof spawn>, tool: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${tool} could not run: ${error.message}`)));
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`))));
  });
}

export interface OpenedBackup {
  format: BackupFormat;
  encrypted: boolean;
  /** The plaintext dump, decrypted as it is read. */
  stream: Readable;
}

/** Opens a backup file: decrypts it (an encrypted one needs its key) and tells what kind of dump it holds. */
export async function openBackup(path: string, key: BackupKey | null): Promise<OpenedBackup> {
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(8);
  try {
    await handle.read(magic, 0, 8, 0);
  } finally {
    await handle.close();
  }
  const encrypted = magic.equals(ENCRYPTED_MAGIC);
  const raw = createReadStream(path);
  let plain: Readable = raw;
  if (encrypted) {
    const decrypt = decryptStream(key);
    raw.once('error', (error) => decrypt.destroy(error));
    plain = raw.pipe(decrypt);
  }
  const { head, rest } = await withHead(plain);
  let format: BackupFormat;
  if (head.subarray(0, 5).equals(PG_DUMP_MAGIC)) format = 'pg_dump';
  else if (head.subarray(0, 2).equals(GZIP_MAGIC)) format = 'pglite';
  else {
    rest.destroy();
    throw new Error(`${path} is not an OMS backup (neither a pg_dump custom archive, a PGlite dump nor an encrypted backup)`);
  }
  return { format, encrypted, stream: rest };
}

/** The first chunk of a stream (to tell its format) and a stream of all of it. */
async function withHead(source: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const chunks = source[Symbol.asyncIterator]();
  const first = await chunks.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  async function* all() {
    if (!first.done) yield head;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }
  return { head, rest: Readable.from(all(), { objectMode: false }) };
}

/** pg_restore of a custom-format dump from a stream into the database at `url`, in one transaction (all or nothing). */
export async function restorePostgres(url: string, dump: Readable, onProgress?: (line: string) => void): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await checkPgToolVersion(client, 'pg_restore');
  } finally {
    await client.end();
  }
  const target = pgToolTarget(url);
  const child = spawn(pgTool('pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...(onProgress ? ['--verbose'] : []), `--dbname=${target.dbname}`], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: target.env,
  });
  if (onProgress) {
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onProgress(line.trim());
    });
  }
  const done = childDone(child, 'pg_restore');
  // a pg_restore that stopped reading (an error) must not leave the copy waiting on a full pipe
  const feeding = pipeline(dump, child.stdin as Writable).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  });
  await Promise.all([feeding, done]);
}

/**
 * Loads a PGlite dump into a new data directory; the caller closes the returned database. The dump is unzipped here, not by
 * PGlite: a damaged gzip stream must be an error of this call (PGlite's own unzip fails outside any promise).
 */
export async function restorePglite(dataDir: string | undefined, dump: Readable): Promise<PGlite> {
  const chunks: Buffer[] = [];
  try {
    await pipeline(dump, createGunzip(), new PassThrough().on('data', (chunk: Buffer) => chunks.push(chunk)));
  } catch (error) {
    throw new Error(`the database dump in the backup is damaged (${(error as Error).message})`, { cause: error });
  }
  return PGlite.create({ dataDir, loadDataDir: new Blob(chunks) });
}

/**
 * Restores a backup into a scratch database (PostgreSQL: a new database beside `url`, dropped afterwards; PGlite: a new
 * one in a temporary directory, removed afterwards) and reads its manifest.
 */
export async function restoreIntoScratch(path: string, key: BackupKey | null, postgresUrl: string | null): Promise<BackupManifest> {
  const opened = await openBackup(path, key);
  if (opened.format === 'pg_dump') {
    if (!postgresUrl) {
      opened.stream.destroy();
      throw new Error('a pg_dump backup is verified on PostgreSQL: this service runs on the embedded database');
    }
    const scratch = await createScratchDatabase(postgresUrl, 'oms_verify');
    try {
      await restorePostgres(scratch.url, opened.stream);
      const client = new Client({ connectionString: scratch.url });
      await client.connect();
      try {
        return await readManifest(pgQuery(client), 'postgresql');
      } finally {
        await client.end();
      }
    } finally {
      await scratch.drop();
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'oms-verify-'));
  try {
    const db = await restorePglite(join(dir, 'pgdata'), opened.stream);
    try {
      return await readManifest(pgliteQuery(db), 'pglite');
    } finally {
      await db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A manifest read through a pg connection (the restore command's check of what it restored). */
export async function readPostgresManifest(url: string): Promise<BackupManifest> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await readManifest(pgQuery(client), 'postgresql');
  } finally {
    await client.end();
  }
}

export { pgliteQuery };
