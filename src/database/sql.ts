import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type QueryRunner } from 'typeorm';

export type Queryable = Pick<EntityManager | DataSource, 'query'>;

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

/**
 * Runs `work` in the caller's transaction when one is given (a workflow step's: its effects commit with the step, DESIGN "A
 * step is one unit of work"), else in a transaction of its own.
 */
export function inTransaction<T>(db: DataSource, manager: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return manager ? work(manager) : db.transaction(work);
}

/**
 * Starts `runner`'s transaction with `statement` (and `then`, e.g. a SAVEPOINT) in the same round trip: "START TRANSACTION;
 * <statement>; <then>" goes as one simple query, and TypeORM's own startTransaction keeps its bookkeeping (nested
 * transactions become savepoints, COMMIT/ROLLBACK as usual). A simple query takes no parameters: the statements must be
 * constant SQL. Answers `statement`'s rows.
 */
export async function startTransactionWith<T>(runner: QueryRunner, statement: string, ...then: string[]): Promise<T[]> {
  const query = runner.query.bind(runner);
  let rows: T[] | undefined;
  runner.query = (async (text: string, ...rest: unknown[]) => {
    if (text !== 'START TRANSACTION') return (query as (...args: unknown[]) => unknown)(text, ...rest);
    runner.query = query;
    // straight to the driver: it answers a multi-statement query with one result per statement, which TypeORM's query drops
    const connection = (await runner.connect()) as { query(text: string): Promise<Array<{ rows: T[] }>> };
    rows = (await connection.query(['START TRANSACTION', statement, ...then].join('; ')))[1].rows;
  }) as typeof runner.query;
  try {
    await runner.startTransaction();
  } finally {
    runner.query = query;
  }
  if (!rows) throw new Error('TypeORM no longer starts a transaction with START TRANSACTION: startTransactionWith needs a new hook');
  return rows;
}

/**
 * `alias."column" AS "property", ...` for every column of an entity: a raw statement's rows come back shaped like the entity
 * (the driver parses the types as it does for TypeORM's own queries). For statements TypeORM cannot write, e.g. one that
 * inserts an aggregate and answers with it.
 */
export function entityColumnsSql(db: DataSource | EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  const metadata = (db instanceof DataSource ? db : db.connection).getMetadata(entity);
  // made once per entity and alias: it is part of statements that run several times per order
  let byAlias = columnLists.get(metadata);
  if (!byAlias) columnLists.set(metadata, (byAlias = new Map()));
  let list = byAlias.get(alias);
  if (list === undefined) byAlias.set(alias, (list = metadata.columns.map((column) => `${alias}."${column.databaseName}" AS "${column.propertyName}"`).join(', ')));
  return list;
}

const columnLists = new WeakMap<object, Map<string, string>>();
