/* eslint-disable no-console -- a command: its output is for the person running it */
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../config/config';
import { isAlive } from '../database/embedded-postgres';
import { backupKeyFrom } from './backup-crypto';
import { openBackup, pgliteQuery, readPostgresManifest, restorePglite, restorePostgres } from './backup-engine';
import { type BackupManifest, compareManifests, readManifest } from './backup-manifest';

/**
 * `npm run restore -- <file> [--force]` (issue 13 item 7), with the service stopped: restores a backup into the database of
 * DATABASE_URL, or into the embedded database of DATA_DIR. Refuses a database that has data unless --force (PostgreSQL:
 * its public schema is dropped first; embedded: the old data directory is moved aside, not deleted). Prints what it does
 * and, when the backup's manifest lies beside it, checks every table against it.
 */
export async function restoreCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const force = argv.includes('--force');
  const files = argv.filter((arg) => !arg.startsWith('--'));
  if (files.length !== 1 || argv.some((arg) => arg.startsWith('--') && arg !== '--force')) {
    console.error('usage: npm run restore -- <backup file> [--force]\n  restores into DATABASE_URL, or the embedded database in DATA_DIR; stop the service first');
    return 64;
  }
  const file = resolve(files[0]);
  if (!existsSync(file)) {
    console.error(`restore: ${file} does not exist`);
    return 66;
  }
  const config = loadConfig(env);
  const key = config.BACKUP_KEY ? backupKeyFrom(config.BACKUP_KEY) : null;
  const opened = await openBackup(file, key);
  console.log(`restore: ${file}: ${opened.format === 'pg_dump' ? 'a PostgreSQL (pg_dump) backup' : 'an embedded-database (PGlite) backup'}${opened.encrypted ? ', encrypted (decrypting with BACKUP_KEY)' : ''}`);
  const manifestFile = `${file}.manifest.json`;
  const expected: BackupManifest | null = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { manifest: BackupManifest }).manifest : null;

  let restored: BackupManifest;
  if (config.DATABASE_URL) {
    if (opened.format !== 'pg_dump') return refuse(opened, 'this is an embedded-database backup: restore it with DATABASE_URL unset and DATA_DIR set');
    const target = new URL(config.DATABASE_URL);
    const client = new Client({ connectionString: config.DATABASE_URL });
    await client.connect();
    try {
      const [{ tables }] = (await client.query(`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`)).rows;
      const [{ sessions }] = (await client.query(`SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows;
      if (sessions > 0 && !force) return refuse(opened, `${sessions} other session(s) are connected to ${target.pathname.slice(1)}: stop the service first (or --force)`);
      if (tables > 0) {
        if (!force) return refuse(opened, `the database ${target.pathname.slice(1)} on ${target.host} has data (${tables} tables): restore into an empty database, or give --force to replace it`);
        console.log(`restore: --force: dropping the ${tables} tables of the public schema of ${target.pathname.slice(1)}`);
        await client.query('DROP SCHEMA public CASCADE');
        await client.query('CREATE SCHEMA public');
      }
    } finally {
      await client.end();
    }
    console.log(`restore: pg_restore into ${target.host}${target.pathname} (one transaction)`);
    await restorePostgres(config.DATABASE_URL, opened.stream, (line) => {
      if (/processing data for table/.test(line)) console.log(`restore: ... ${line.replace(/^pg_restore: /, '')}`);
    });
    restored = await readPostgresManifest(config.DATABASE_URL);
  } else {
    if (opened.format !== 'pglite') return refuse(opened, 'this is a PostgreSQL backup: restore it with DATABASE_URL set to an empty database');
    const dataDir = resolve(config.DATA_DIR);
    const pgdata = join(dataDir, 'pgdata');
    const lock = join(dataDir, 'oms.lock');
    if (existsSync(lock)) {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (holder && isAlive(holder)) return refuse(opened, `the service is running on ${dataDir} (pid ${holder}): stop it first`);
    }
    if (existsSync(pgdata) && readdirSync(pgdata).length > 0) {
      if (!force) return refuse(opened, `${pgdata} has data: restore into an empty DATA_DIR, or give --force to replace it (the old data is kept aside)`);
      const aside = `${pgdata}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(pgdata, aside);
      console.log(`restore: --force: the old data directory is kept as ${aside}`);
    }
    console.log(`restore: loading the dump into ${pgdata}`);
    const db = await restorePglite(pgdata, opened.stream);
    try {
      restored = await readManifest(pgliteQuery(db), 'pglite');
    } finally {
      await db.close();
    }
  }

  const rows = Object.values(restored.tables).reduce((sum, table) => sum + table.rows, 0);
  console.log(`restore: restored ${Object.keys(restored.tables).length} tables, ${rows} rows`);
  for (const table of ['customer_order', 'order_line', 'stock_level', 'stock_reservation', 'process_instance', 'workflow_job', 'notification', 'app_user']) {
    if (restored.tables[table]) console.log(`restore:   ${table.padEnd(20)} ${restored.tables[table].rows}`);
  }
  if (expected) {
    const differences = compareManifests(expected, restored);
    if (differences.length) {
      console.error(`restore: the restored database differs from the backup's manifest:\n  ${differences.join('\n  ')}`);
      return 1;
    }
    console.log(`restore: every table matches the backup's manifest (${manifestFile})`);
  }
  console.log('restore: done; start the service on it');
  return 0;
}

function refuse(opened: { stream: { destroy(): void } }, reason: string): number {
  opened.stream.destroy();
  console.error(`restore: refused: ${reason}`);
  return 2;
}

if (require.main === module) {
  restoreCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`restore: failed: ${error.message}`);
      process.exit(1);
    },
  );
}
