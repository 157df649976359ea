import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type AdminJS from 'adminjs';
import type { CurrentAdmin } from 'adminjs';
import { projectRoot } from '../common/project-root';

/** The ESM-only AdminJS packages, loaded at run time (STACK trap 1). */
export type AdminJsModule = typeof import('adminjs');
export type AdminTypeormModule = typeof import('@adminjs/typeorm');
export type AdminNestModule = typeof import('@adminjs/nestjs');

export interface AdminRuntime {
  adminjs: AdminJsModule;
  typeorm: AdminTypeormModule;
  nestjs: AdminNestModule;
}

/**
 * AdminJS reads ADMIN_JS_TMP_DIR once, when it is first imported, so the default must be in place before.
 * Express 5 does not serve dot-folders (STACK trap 5): the default `.adminjs` would 404 its bundle.
 * Only development bundles there, when there is no pre-built bundle (see serveComponentsBundle).
 */
export function prepareAdminEnvironment(): void {
  process.env.ADMIN_JS_TMP_DIR ??= join(projectRoot(), 'adminjs-tmp');
}

let loaded: Promise<AdminRuntime> | undefined;

/** Imports one after another: parallel imports break under jest's ESM loader ("... is not in cache"). */
export function loadAdminRuntime(): Promise<AdminRuntime> {
  loaded ??= (async () => {
    prepareAdminEnvironment();
    const adminjs = await import('adminjs');
    const typeorm = await import('@adminjs/typeorm');
    const nestjs = await import('@adminjs/nestjs');
    return { adminjs, typeorm, nestjs };
  })().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/**
 * The browser bundles `npm run build` makes (build:admin, src/admin/build-admin-bundle.mjs, with @adminjs/bundler):
 * components.bundle.js (our React components), AdminJS's own app, global and design-system bundles (production
 * builds) and manifest.json (what they were built for). Under dist/, so gitignored and never a dot-folder.
 */
export const ADMIN_BUNDLE_DIR = join(projectRoot(), 'dist', 'adminjs');

/** manifest.json, written by build-admin-bundle.mjs. */
export interface AdminBundleManifest {
  builtAt: string;
  /** the adminjs version the core bundles were copied from */
  adminjs: string;
  /** component name → source file (relative to the project root, without extension) */
  components: Record<string, string>;
  /** AdminJS options.env, which a components bundle embeds */
  env: Record<string, unknown>;
}

const COMPONENTS_BUNDLE = 'components.bundle.js';
const ASSETS = '/frontend/assets/';
/** AdminJS's own bundles, which @adminjs/bundler copies next to ours. */
const CORE_BUNDLES = ['app.bundle.js', 'global.bundle.js', 'design-system.bundle.js'];

const posix = (path: string) => path.split(sep).join('/');

function adminjsVersion(): string {
  return (JSON.parse(readFileSync(join(dirname(require.resolve('adminjs')), 'package.json'), 'utf8')) as { version: string }).version;
}

export type PrebuiltBundleCheck = { usable: true; manifest: AdminBundleManifest } | { usable: false; reason: string };

/** Whether the pre-built bundles in `dir` are there, complete, and made for this admin's components and AdminJS. */
export function checkPrebuiltBundle(admin: AdminJS, dir = ADMIN_BUNDLE_DIR): PrebuiltBundleCheck {
  const where = relative(process.cwd(), dir) || dir;
  const missing = [COMPONENTS_BUNDLE, ...CORE_BUNDLES, 'manifest.json'].filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) return { usable: false, reason: `no pre-built admin bundle in ${where} (missing ${missing.join(', ')})` };
  let manifest: AdminBundleManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as AdminBundleManifest;
  } catch (error) {
    return { usable: false, reason: `unreadable ${join(where, 'manifest.json')}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const root = projectRoot();
  const wanted = Object.entries(admin.componentLoader.getComponents()).map(([name, file]) => [name, posix(relative(root, file))]);
  const differing = wanted.filter(([name, file]) => manifest.components?.[name] !== file).map(([name]) => name);
  if (differing.length > 0) return { usable: false, reason: `the pre-built admin bundle in ${where} lacks components ${differing.join(', ')} (built before they changed)` };
  if (JSON.stringify(manifest.env ?? {}) !== JSON.stringify(admin.options.env ?? {})) {
    return { usable: false, reason: `the pre-built admin bundle in ${where} was built for other AdminJS options.env` };
  }
  const version = adminjsVersion();
  if (manifest.adminjs !== version) return { usable: false, reason: `the pre-built admin bundle in ${where} is for adminjs ${manifest.adminjs}, not ${version}` };
  return { usable: true, manifest };
}

/** Component sources edited after the bundle was built (development: a reminder to rebuild). */
function newerSources(admin: AdminJS, dir: string): string[] {
  const built = statSync(join(dir, COMPONENTS_BUNDLE)).mtimeMs;
  const root = projectRoot();
  const sources = new Set<string>();
  for (const file of Object.values(admin.componentLoader.getComponents())) {
    for (const ext of ['.tsx', '.ts', '.jsx', '.js']) if (existsSync(file + ext)) sources.add(file + ext);
    const folder = dirname(file);
    for (const shared of ['api.ts', join('..', 'ui-contract.ts')]) if (existsSync(join(folder, shared))) sources.add(join(folder, shared));
  }
  return [...sources].filter((file) => statSync(file).mtimeMs > built).map((file) => posix(relative(root, file)));
}

/** The original source of each asset we point elsewhere, to put back if a later admin in this process has no bundle. */
const originalAssets = new Map<string, string>();

type RouterType = AdminJsModule['Router'];

function takeAsset(router: RouterType, path: string): void {
  for (let index = router.assets.findIndex((asset) => asset.path === path); index >= 0; index = router.assets.findIndex((asset) => asset.path === path)) {
    if (!originalAssets.has(path)) originalAssets.set(path, router.assets[index].src);
    router.assets.splice(index, 1);
  }
}

function pointAsset(router: RouterType, path: string, src: string): void {
  takeAsset(router, path);
  router.assets.push({ path, src });
}

function restoreAsset(router: RouterType, path: string): void {
  takeAsset(router, path);
  const original = originalAssets.get(path);
  if (original) router.assets.push({ path, src: original });
}

function takeRoute(router: RouterType, path: string): void {
  for (let index = router.routes.findIndex((route) => route.path === path); index >= 0; index = router.routes.findIndex((route) => route.path === path)) {
    router.routes.splice(index, 1);
  }
}

/** GET components.bundle.js in development without a pre-built bundle: AdminJS bundles it at the first request. */
function runtimeBundleController(adminjs: AdminJsModule, logger: LoggerService) {
  let building: Promise<string | null> | undefined;
  return class RuntimeComponentsBundle {
    constructor(
      private readonly context: { admin: AdminJS },
      private readonly currentAdmin?: CurrentAdmin,
    ) {}

    /** Errors answer this request (500) and are logged; the next request tries again. */
    bundleComponents(): Promise<string | null> {
      building ??= new adminjs.AppController(this.context, this.currentAdmin)
        .bundleComponents()
        .catch((error: unknown) => {
          logger.error(
            `could not bundle the admin components at run time: ${error instanceof Error ? error.message : String(error)} ` +
              '(run `npm run build` to pre-bundle them)',
            'AdminBundle',
          );
          throw error;
        })
        .finally(() => {
          building = undefined;
        });
      return building;
    }
  };
}

export type ComponentsBundleSource = { source: 'prebuilt'; dir: string; manifest: AdminBundleManifest } | { source: 'runtime'; reason: string };

/** Thrown in production when there is no usable pre-built bundle: the start stops with this message. */
export class AdminBundleMissingError extends Error {
  override name = 'AdminBundleMissingError';
}

/**
 * Decides where /admin/frontend/assets/components.bundle.js comes from, before the admin's router is built:
 * - the pre-built bundles (dist/adminjs, `npm run build`) when they match this admin: nothing is bundled at start;
 * - otherwise, in production: AdminBundleMissingError, telling to run `npm run build`;
 * - otherwise (development): AdminJS bundles at the first request of components.bundle.js; a failure answers that
 *   request with 500 and is logged, never reaching the process. (AdminJS's rollup + babel resolve their plugins from
 *   the working directory: run from elsewhere, this fails, which is why the build does it.)
 * Adjusts AdminJS's Router (shared by the process), which @adminjs/express reads when it builds the router.
 */
export function serveComponentsBundle(
  runtime: AdminRuntime,
  admin: AdminJS,
  logger: LoggerService,
  options: { dir?: string; production?: boolean } = {},
): ComponentsBundleSource {
  const dir = options.dir ?? ADMIN_BUNDLE_DIR;
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const { Router } = runtime.adminjs;
  const componentsPath = ASSETS + COMPONENTS_BUNDLE;
  // AdminJS decides this at import, from NODE_ENV: an asset in production, a bundling route otherwise
  takeRoute(Router, componentsPath);
  const check = checkPrebuiltBundle(admin, dir);
  if (check.usable) {
    pointAsset(Router, componentsPath, join(dir, COMPONENTS_BUNDLE));
    for (const bundle of CORE_BUNDLES) pointAsset(Router, ASSETS + bundle, join(dir, bundle));
    logger.log(`admin browser bundles: pre-built in ${relative(process.cwd(), dir) || dir} (${check.manifest.builtAt})`, 'AdminBundle');
    if (!production) {
      const edited = newerSources(admin, dir);
      if (edited.length > 0) logger.warn(`${edited.join(', ')} changed since the admin bundle was built: run \`npm run build:admin\` and reload`, 'AdminBundle');
    }
    return { source: 'prebuilt', dir, manifest: check.manifest };
  }
  if (production) {
    throw new AdminBundleMissingError(
      `${check.reason}. Run \`npm run build\` before starting with NODE_ENV=production (it pre-bundles the admin components; the admin never bundles at start in production).`,
    );
  }
  takeAsset(Router, componentsPath);
  for (const bundle of CORE_BUNDLES) restoreAsset(Router, ASSETS + bundle);
  // a bundle left by an earlier run may be of other sources: the first request bundles anew
  if (process.env.ADMIN_JS_TMP_DIR) rmSync(join(process.env.ADMIN_JS_TMP_DIR, 'bundle.js'), { force: true });
  Router.routes.push({
    method: 'GET',
    path: componentsPath,
    Controller: runtimeBundleController(runtime.adminjs, logger),
    action: 'bundleComponents',
    contentType: 'text/javascript;charset=utf-8',
  });
  logger.warn(`${check.reason}: the admin components are bundled at the first request (development only); \`npm run build\` pre-bundles them`, 'AdminBundle');
  return { source: 'runtime', reason: check.reason };
}
