import { Client } from 'pg';
import { orderNumberSql } from '../../../src/orders/order-records';

/**
 * Order numbers: SO + yyMMdd + a six-digit sequence ("readable on the phone", G2.2 opens an order by its number). The intake
 * numbers an order in its one statement, so the rule is SQL: evaluated here by PostgreSQL, or the embedded database.
 */
describe('order numbers', () => {
  let evaluate: (sequence: number, at: string) => Promise<string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const sql = orderNumberSql('$1::bigint', '$2::timestamptz');
    if (process.env.TEST_DATABASE_URL) {
      const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      evaluate = async (sequence, at) => (await client.query(`SELECT ${sql} AS number`, [sequence, at])).rows[0].number;
      close = () => client.end();
    } else {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = new PGlite();
      evaluate = async (sequence, at) => (await db.query<{ number: string }>(`SELECT ${sql} AS number`, [sequence, at])).rows[0].number;
      close = () => db.close();
    }
  });
  afterAll(() => close());

  const day = '2026-11-25T04:00:00Z';

  it('is SO, the UTC date as yyMMdd and the sequence padded to six digits', async () => {
    expect(await evaluate(1, day)).toBe('SO261125000001');
    expect(await evaluate(42, day)).toBe('SO261125000042');
    expect(await evaluate(999999, day)).toBe('SO261125999999');
    expect(await evaluate(7, '2027-01-05T12:00:00Z')).toBe('SO270105000007');
    expect(await evaluate(7, '2027-01-05T23:30:00-02:00')).toBe('SO270106000007');
  });

  it('never cuts a sequence beyond six digits: numbers stay unique, only longer', async () => {
    expect(await evaluate(1234567, day)).toBe('SO2611251234567');
    for (const sequence of [1, 9, 10, 12345, 100000, 999999]) expect(await evaluate(sequence, day)).toMatch(/^SO\d{12}$/);
  });
});
