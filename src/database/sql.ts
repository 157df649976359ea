import type { DataSource, EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager | DataSource, 'query'>;

/**
 * Rows of any statement. TypeORM's postgres driver answers UPDATE/DELETE with `[rows, rowCount]`
 * but SELECT/INSERT with the rows alone; this hides the difference for `... RETURNING`.
 */
export async function queryRows<T = Record<string, unknown>>(db: Queryable, text: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query(text, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

export async function queryOne<T = Record<string, unknown>>(db: Queryable, text: string, params: unknown[] = []): Promise<T | undefined> {
  return (await queryRows<T>(db, text, params))[0];
}
