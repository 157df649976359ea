import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { projectRoot } from '../../src/common/project-root';
import { adminTestEnvironment } from './admin-session';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, startTestApp, type TestApp } from './test-app';

/** Debian's chromium (STACK "tests"): `npx playwright install` cannot download browsers here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Starts headless chromium; a missing browser fails the test with what to install (never a skip). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH). The browser tests need it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Builds the workflow pages' bundles when they are missing or older than a source they were built from (what `npm run
 * build` does in build:ui), so the test never runs against stale or missing bundles; after `npm run build` (npm test)
 * nothing is rebuilt while other test files serve the pages.
 */
export function buildWorkflowUiBundles(): void {
  const root = projectRoot();
  if (bundlesAreCurrent(root)) return;
  const result = spawnSync(process.execPath, [join(root, 'src', 'workflow-ui', 'build-bundles.mjs')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`building the workflow-ui bundles failed:\n${result.stderr || result.stdout || result.error?.message}`);
}

function bundlesAreCurrent(root: string): boolean {
  try {
    const { builtAt, sources } = JSON.parse(readFileSync(join(root, 'dist', 'workflow-ui', 'build-inputs.json'), 'utf8')) as { builtAt: number; sources: string[] };
    return sources.length > 0 && sources.every((source) => statSync(join(root, source)).mtimeMs < builtAt);
  } catch {
    return false; // never built, or a source is gone
  }
}

/** http://127.0.0.1:<port> of a started test app. */
export function baseUrl(app: TestApp): string {
  const address = app.running.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** Signs in through AdminJS's login form, as a person would (Enter in the password: the page is in the install's language). */
export async function adminLogin(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await Promise.all([page.waitForURL(`${base}/admin`), page.locator('input[name=password]').press('Enter')]);
}

/** Sets the back-office language of the user `auth` belongs to (PATCH /api/users/{id} on themselves: their own locale). */
export async function setOwnLocale(app: TestApp, auth: Record<string, string>, locale: 'zh-CN' | 'en'): Promise<void> {
  const me = (await app.http.get('/api/auth/me').set(auth).expect(200)).body as { id: string };
  await app.http.patch(`/api/users/${me.id}`).set(auth).send({ locale }).expect(200);
}

/** Switches the language in the admin's user menu (saved as the user's locale; the page reloads in it). */
export async function switchAdminLanguage(page: Page, to: 'zh-CN' | 'en'): Promise<void> {
  const menu = page.getByTestId('user-menu');
  await menu.hover();
  await menu.getByText(to === 'en' ? '切换到English' : 'Switch to 简体中文', { exact: true }).click();
  await page.locator(`[data-testid="user-menu"][data-language="${to}"]`).waitFor();
}

/** Uncaught errors and console errors of a page, to assert none happened. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export interface AdminBrowser {
  app: TestApp;
  /** The first admin's bearer header, for setting things up through the API. */
  auth: { Authorization: string };
  base: string;
  browser: Browser;
  /** A page signed in as the first admin. */
  page: Page;
  /** What went wrong in the page so far (checked after each test). */
  pageErrors: string[];
}

/**
 * One describe block's app with the admin, Debian chromium and a page signed in as the first admin; after each test, no
 * errors in the page. The admin serves the components `npm run build` pre-bundled (dist/adminjs): production refuses to
 * start without them, so this waits until the bundle has `component`.
 */
export function useAdminBrowser({ component }: { component: string }): AdminBrowser {
  const context = {} as AdminBrowser;
  let environment: { restore(): void } | undefined;

  beforeAll(async () => {
    environment = adminTestEnvironment({ bundled: true });
    buildWorkflowUiBundles();
    context.browser = await launchChromium();
    context.app = await startTestApp({ admin: true });
    context.auth = { Authorization: `Bearer ${await context.app.login()}` };
    // these tests read the English screens; admin-language.spec.ts is the one in Chinese (the install's default)
    await setOwnLocale(context.app, context.auth, 'en');
    context.base = baseUrl(context.app);
    await eventually(async () => {
      const bundle = await context.app.http.get('/admin/frontend/assets/components.bundle.js');
      return bundle.status === 200 && bundle.text.includes(component) ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500, what: `the admin bundle with ${component} (npm run build)` });
    context.page = await (await context.browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    context.page.setDefaultTimeout(20_000);
    context.pageErrors = collectPageErrors(context.page);
    await adminLogin(context.page, context.base, ADMIN_EMAIL, ADMIN_PASSWORD);
  }, 150_000);

  afterAll(async () => {
    await context.browser?.close();
    await context.app?.close();
    environment?.restore();
  });

  afterEach(() => {
    expect(realErrors(context.pageErrors)).toEqual([]);
  });

  return context;
}

/** Page errors that matter: a missing optional asset (favicon, source map) is not one. */
export const realErrors = (errors: string[]) => errors.filter((error) => !/Failed to load resource/.test(error));
