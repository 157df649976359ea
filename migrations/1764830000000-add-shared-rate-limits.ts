import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11 item 6: throttles every process shares (customer links per link and per address, template test sends per
 * user), counted here instead of in each process's memory. The layout is rate-limiter-flexible's PostgreSQL store:
 * a row per key with its points and when its window ends (epoch milliseconds).
 */
export class AddSharedRateLimits1764830000000 implements MigrationInterface {
  name = 'AddSharedRateLimits1764830000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE rate_limit (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
    // the store deletes windows that ended an hour ago
    await db.query(`CREATE INDEX rate_limit_expire_idx ON rate_limit (expire)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE rate_limit`);
  }
}
