import type { Response } from 'supertest';
import { AuthService } from '../../src/auth/auth.service';
import { unique } from './fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './test-app';

export interface AdminApp {
  app: TestApp;
  /** The first admin's bearer header (the API). */
  auth: { Authorization: string };
  /** The first admin's admin session cookie (AdminJS's API). */
  adminCookie: string;
}

function sessionCookie(response: Response): string | undefined {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((cookie) => cookie.startsWith('oms_admin='))?.split(';')[0];
}

/** Signs in through AdminJS's login form; the session cookie. */
export async function adminSignIn(app: TestApp, email: string, password: string): Promise<string> {
  const response = await app.http.post('/admin/login').type('form').send({ email, password }).expect(302);
  const cookie = sessionCookie(response);
  if (!cookie) throw new Error(`no session cookie for ${email}`);
  return cookie;
}

/** A new user holding `roles`, signed in to the admin; the session cookie. */
export async function adminSignInWithRole(app: TestApp, ...roles: string[]): Promise<string> {
  const email = `${unique(roles.join('-'))}@test.local`.toLowerCase();
  await app.running.app.get(AuthService).createUser(email, 'role-password-1', roles);
  return adminSignIn(app, email, 'role-password-1');
}

/**
 * AdminJS in tests (STACK traps 2 and 4): jest must run with --experimental-vm-modules (AdminJS is ESM-only), in production
 * mode; `bundled`: the components `npm run build` pre-bundled are served (browser tests), else no bundle at all. Call
 * `restore` after the app closed.
 */
export function adminTestEnvironment({ bundled }: { bundled: boolean }): { restore(): void } {
  const esmMode = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules');
  if (!esmMode) throw new Error('AdminJS is ESM-only: run this file with node --experimental-vm-modules node_modules/jest/bin/jest.js (STACK.md trap 2)');
  const saved = { NODE_ENV: process.env.NODE_ENV, ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE };
  process.env.NODE_ENV = 'production';
  if (bundled) delete process.env.ADMIN_JS_SKIP_BUNDLE;
  else process.env.ADMIN_JS_SKIP_BUNDLE = 'true';
  return {
    restore() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/**
 * One describe block's app with the admin (no components bundle), talked to over AdminJS's API with the first admin's
 * session. `env` is read when the app starts (after earlier beforeAll hooks, e.g. a capture SMTP server).
 */
export function useAdminApp(options: { env?: () => Record<string, string> } = {}): AdminApp {
  const context = {} as AdminApp;
  let environment: { restore(): void } | undefined;
  beforeAll(async () => {
    environment = adminTestEnvironment({ bundled: false });
    context.app = await startTestApp({ admin: true, env: options.env?.() });
    context.auth = { Authorization: `Bearer ${await context.app.login()}` };
    // these tests read the English screens (the first admin has the install's default, zh-CN; see admin-language.spec.ts)
    const me = (await context.app.http.get('/api/auth/me').set(context.auth).expect(200)).body as { id: string };
    await context.app.http.patch(`/api/users/${me.id}`).set(context.auth).send({ locale: 'en' }).expect(200);
    context.adminCookie = await adminSignIn(context.app, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await context.app?.close();
    environment?.restore();
  });
  return context;
}
