import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A random secret generated on the first start and kept in the database (never in the repository), the same for every
 * process. `db` may be a transaction's manager (the embedded database has one connection).
 */
export async function appSecret(db: Pick<DataSource | EntityManager, 'query'>, name: string): Promise<string> {
  await db.query(`INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, randomBytes(32).toString('base64url')]);
  const [row] = await db.query(`SELECT value FROM app_secret WHERE name = $1`, [name]);
  return row.value;
}
