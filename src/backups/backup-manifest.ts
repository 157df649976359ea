/**
 * What a backup holds, written when it is taken and compared after a restore (verify, the restore command): every table
 * of the schema with its row count and a checksum of its rows. The checksum is the sum of the first 60 bits of each row's
 * md5 (its text form, in UTC and ISO styles), so that it is computed in one pass without sorting or holding the rows,
 * and any changed, lost or added row changes it.
 */
export interface TableSummary {
  rows: number;
  checksum: string;
}

export interface BackupManifest {
  takenAt: string;
  engine: 'postgresql' | 'pglite';
  serverVersion: string;
  tables: Record<string, TableSummary>;
}

/** A query on some connection (pg Client, PGlite): the rows it returns. */
export type RunQuery = (sql: string) => Promise<Array<Record<string, unknown>>>;

/** Makes the rows' text form independent of the session (run on the connection that reads the manifest). */
export const MANIFEST_SESSION_SQL = [`SET TimeZone = 'UTC'`, `SET DateStyle = 'ISO, YMD'`, `SET IntervalStyle = 'postgres'`, `SET extra_float_digits = 1`];

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function readManifest(query: RunQuery, engine: BackupManifest['engine']): Promise<BackupManifest> {
  for (const statement of MANIFEST_SESSION_SQL) await query(statement);
  const [{ version }] = await query(`SELECT current_setting('server_version') AS version`);
  const tables = await query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
  );
  const summaries: Record<string, TableSummary> = {};
  for (const { name } of tables) {
    const [row] = await query(
      `SELECT count(*)::text AS rows,
              coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0)::text AS checksum
         FROM ${quoteIdent(String(name))} AS t`,
    );
    summaries[String(name)] = { rows: Number(row.rows), checksum: String(row.checksum) };
  }
  return { takenAt: new Date().toISOString(), engine, serverVersion: String(version), tables: summaries };
}

/** What differs between the manifest written when the backup was taken and the restored database; empty: the same. */
export function compareManifests(expected: BackupManifest, actual: BackupManifest): string[] {
  const differences: string[] = [];
  for (const [table, want] of Object.entries(expected.tables)) {
    const got = actual.tables[table];
    if (!got) differences.push(`table ${table} is missing`);
    else if (got.rows !== want.rows) differences.push(`table ${table}: ${got.rows} rows, the backup had ${want.rows}`);
    else if (got.checksum !== want.checksum) differences.push(`table ${table}: the rows' checksum differs (${got.checksum}, the backup had ${want.checksum})`);
  }
  for (const table of Object.keys(actual.tables)) if (!(table in expected.tables)) differences.push(`table ${table} is not in the backup`);
  return differences;
}
