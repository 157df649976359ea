import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp, type RunningApp } from '../../src/app';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, type TestDatabase } from './test-database';

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestApp {
  running: RunningApp;
  config: AppConfig;
  database: TestDatabase;
  http: ReturnType<typeof request>;
  /** A bearer token of the first admin (or of the given user). */
  login(email?: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The whole app on a fresh database, as `npm start` builds it (AdminJS only when asked: it needs ESM mode in jest). */
export async function startTestApp(options: { admin?: boolean; env?: Record<string, string>; database?: TestDatabase; embedded?: boolean } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase({ embedded: options.embedded }));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DEMO_DATA: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    WORKER_POLL_MS: '50',
    WORKER_LEASE_SECONDS: '10',
    SMTP_URL: '',
    // backups a test takes (route matrices, probes) go to a temp dir, not ./data of the checkout
    BACKUP_DIR: process.env.BACKUP_DIR ?? join(tmpdir(), `oms-test-backups-${process.pid}`),
    ...database.env,
    ...options.env,
  });
  const running = await createApp(config, { admin: options.admin ?? false });
  await running.app.listen(0, '127.0.0.1');
  const http = request(running.app.getHttpServer());
  return {
    running,
    config,
    database,
    http,
    async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      const response = await http.post('/api/auth/login').send({ email, password }).expect(200);
      return response.body.accessToken as string;
    },
    async close() {
      await running.close();
      if (!options.database) await database.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** One app for a describe block, started before its tests and closed after them; `auth` is the admin's bearer header. */
export function useTestApp(options: Parameters<typeof startTestApp>[0] = {}): { app: TestApp; auth: Record<string, string> } {
  const context = {} as { app: TestApp; auth: Record<string, string> };
  beforeAll(async () => {
    context.app = await startTestApp(options);
    context.auth = { Authorization: `Bearer ${await context.app.login()}` };
  });
  afterAll(async () => context.app?.close());
  return context;
}
