/* global process */
/**
 * Pre-bundles the admin's React components (src/admin/components, registered in admin-components.ts) with
 * @adminjs/bundler — AdminJS's own rollup + babel, run here instead of at every start — and copies AdminJS's
 * production browser bundles (app, global, design system) beside them, into dist/adminjs/. The admin serves that
 * folder at /admin/frontend/assets/ and never bundles at start when it is there (admin-runtime.ts).
 *
 *   node src/admin/build-admin-bundle.mjs     (npm run build:admin; `npm run build` runs it after tsc)
 *
 * It takes the component list from the compiled dist/src/admin/admin-components.js, so tsc must have run before.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// @adminjs/bundler takes its folders relative to the working directory, and babel resolves its plugins from there
// (run from elsewhere: "Cannot find package '@babel/plugin-syntax-import-assertions'")
process.chdir(root);

/** The output, relative to root; admin-runtime.ts ADMIN_BUNDLE_DIR. */
const OUT_DIR = join('dist', 'adminjs');
/** AdminJS's entry file and raw output while bundling (apart from adminjs-tmp/, where a development server bundles). */
const WORK_DIR = join('adminjs-tmp', 'build');
const MANIFEST = 'manifest.json';

// both read by AdminJS once, when it is first imported (below): minified bundle, React in production mode
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_TMP_DIR = WORK_DIR;

const require = createRequire(join(root, 'package.json'));
const posix = (path) => path.split(sep).join('/');

async function adminComponentsFromDist() {
  const compiled = join(root, 'dist', 'src', 'admin', 'admin-components.js');
  try {
    await stat(compiled);
  } catch {
    throw new Error(`${relative(root, compiled)} is missing: compile first (npm run build runs tsc, then this)`);
  }
  return require(compiled).adminComponents;
}

async function buildAdminBundle() {
  const adminComponents = await adminComponentsFromDist();
  const adminjs = await import('adminjs');
  const { bundle } = await import('@adminjs/bundler');
  const adminjsDir = dirname(require.resolve('adminjs'));
  const adminjsVersion = JSON.parse(await readFile(join(adminjsDir, 'package.json'), 'utf8')).version;
  // where AdminJS itself serves its bundles from (its router resolves the design system from its own folder)
  const designSystemDir = join(dirname(createRequire(join(adminjsDir, 'index.js')).resolve('@adminjs/design-system')), '..');

  const { loader } = adminComponents(adminjs);
  await rm(OUT_DIR, { recursive: true, force: true });
  await rm(WORK_DIR, { recursive: true, force: true });
  const files = await bundle({
    componentLoader: loader,
    destinationDir: OUT_DIR,
    adminJsLocalDir: WORK_DIR,
    adminJsAssetsDir: relative(root, join(adminjsDir, 'lib', 'frontend', 'assets', 'scripts')),
    designSystemDir: relative(root, designSystemDir),
  });

  const components = Object.fromEntries(Object.entries(loader.getComponents()).map(([name, file]) => [name, posix(relative(root, file))]));
  const componentsBundle = await readFile(join(OUT_DIR, 'components.bundle.js'), 'utf8');
  const absent = Object.keys(components).filter((name) => !componentsBundle.includes(`UserComponents.${name}`));
  if (absent.length > 0) throw new Error(`components.bundle.js does not register ${absent.join(', ')}`);
  // what the admin compares at start: a bundle built for other components or another AdminJS is not served
  const manifest = { builtAt: new Date().toISOString(), adminjs: adminjsVersion, components, env: {} };
  await writeFile(join(OUT_DIR, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(WORK_DIR, { recursive: true, force: true });
  return Promise.all(files.map(async ({ name, destinationPath }) => ({ name, bytes: (await stat(destinationPath)).size })));
}

async function main() {
  const started = Date.now();
  const files = await buildAdminBundle();
  const sizes = files.map(({ name, bytes }) => `${name} ${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} KB`}`);
  process.stdout.write(`admin bundles in ${Date.now() - started} ms → ${OUT_DIR}: ${sizes.join(', ')}\n`);
}

main().catch((error) => {
  process.stderr.write(`admin bundle failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
