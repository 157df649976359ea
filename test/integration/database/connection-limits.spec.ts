import { DataSource } from 'typeorm';
import { isDatabaseBusy } from '../../../src/database/connection-errors';
import { startTestApp, type TestApp } from '../../helpers/test-app';
import { TEST_DATABASE_URL } from '../../helpers/test-database';

// statement_timeout is an external PostgreSQL's (the embedded database is the process's own and gets none)
(TEST_DATABASE_URL ? describe : describe.skip)('connection limits on PostgreSQL', () => {
  let app: TestApp | undefined;

  afterAll(async () => app?.close());

  it('every pooled connection carries DATABASE_STATEMENT_TIMEOUT_MS, so a stuck statement is cut off in a bounded time (the API answers that with 503)', async () => {
    app = await startTestApp({ env: { DATABASE_STATEMENT_TIMEOUT_MS: '700' } });
    const db = app.running.app.get(DataSource);
    // several at once: each on its own pooled connection
    const settings = await Promise.all(Array.from({ length: 4 }, () => db.query(`SHOW statement_timeout`)));
    expect(settings.map((rows) => rows[0].statement_timeout)).toEqual(['700ms', '700ms', '700ms', '700ms']);
    const cut = await db.query(`SELECT pg_sleep(5)`).catch((error: unknown) => error);
    expect(isDatabaseBusy(cut)).toBe(true);
    // the migrations' session is back in the pool without its lifted timeout
    const again = await Promise.all(Array.from({ length: 8 }, () => db.query(`SHOW statement_timeout`)));
    expect(new Set(again.map((rows) => rows[0].statement_timeout))).toEqual(new Set(['700ms']));
  });
});
