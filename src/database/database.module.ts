import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, MigrationExecutor } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { DatabaseListener } from './database-listener';
import { ENTITIES } from './entities';

/** Bounds on waiting for PostgreSQL, so that a request fails (503) instead of hanging when the database is away or stuck. */
export interface ConnectionLimits {
  /** Waiting for a connection: a free one from the pool, or a new one (pg-pool's connectionTimeoutMillis). */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout, sent at connect (0: none); migrations run without it. */
  statementTimeoutMs: number;
}

export function dataSourceOptions(url: string, poolSize: number, limits: ConnectionLimits): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    extra: {
      max: poolSize,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      // a peer that vanished without closing (a failover, a cut network) is found by TCP keepalive, not by the next query
      keepAlive: true,
      ...(limits.statementTimeoutMs > 0 ? { statement_timeout: limits.statementTimeoutMs } : {}),
    },
  };
}

const MIGRATION_LOCK_KEY = 7_300_001;

/** Runs pending migrations, one process at a time (several app processes may start together), and audits each one run. */
export async function runMigrations(dataSource: DataSource, exclusiveDatabase: boolean): Promise<void> {
  // the embedded database belongs to this process alone, and its single connection cannot hold a lock beside the migration
  if (exclusiveDatabase) {
    await auditMigrations(dataSource, await dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  // the migrations run on the session holding the lock, without the app's statement_timeout: waiting for another
  // process's migrations, or an index built on a big table, may take longer than any request should
  const session = dataSource.createQueryRunner();
  await session.connect();
  try {
    await session.query('SET statement_timeout = 0');
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrations = new MigrationExecutor(dataSource, session);
    migrations.transaction = 'each';
    await auditMigrations(dataSource, await migrations.executePendingMigrations());
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await session.query('RESET statement_timeout').catch(() => undefined);
    await session.release();
  }
}

/**
 * G3.3: schema migrations are in the audit log (`migration.run`, by the system). Written here, below every area, in the
 * layout of src/audit (the audit_log table exists once its own migration has run, which precedes this).
 */
async function auditMigrations(dataSource: DataSource, applied: Array<{ name: string }>): Promise<void> {
  if (applied.length === 0) return;
  await dataSource.query(
    `INSERT INTO audit_log (actor, actor_kind, action, target, details)
     SELECT 'system', 'system', 'migration.run', m.name, jsonb_build_object('migration', m.name) FROM unnest($1::text[]) AS m(name)`,
    [applied.map((migration) => migration.name)],
  );
}

/** The TypeORM data source on an already located database (see database-location.ts), migrated at start, and the wake-up listener. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize: number, embedded: boolean, limits: ConnectionLimits): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(url, poolSize, limits),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrations(dataSource, embedded);
            return dataSource;
          },
        }),
      ],
      // the embedded database cannot carry LISTEN/NOTIFY between connections (database-listener.ts): no listener there
      providers: [{ provide: DatabaseListener, useFactory: () => new DatabaseListener(embedded ? null : url) }],
      exports: [DatabaseListener],
    };
  }
}
