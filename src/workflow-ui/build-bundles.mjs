/* global process */
/**
 * Bundles the workflow pages (modeler, instance view, tasklist) and the AdminJS navigation helper with esbuild into
 * dist/workflow-ui/, which WorkflowUiModule serves at /workflow-ui/assets/. Run by `npm run build` (build:ui).
 *
 *   node src/workflow-ui/build-bundles.mjs           production bundles (minified, with source maps)
 *   node src/workflow-ui/build-bundles.mjs --watch   rebuild on change, not minified
 *
 * esbuild's own install script only checks its binary: the binary comes from the @esbuild/<platform> optional
 * dependency, which `npm ci` installs even where install scripts are skipped.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const browser = join(here, 'browser');
export const OUT_DIR = join(root, 'dist', 'workflow-ui');

/**
 * `virtual:bpmnlint-recommended`: the `{ config, resolver }` bundle bpmn-js-bpmnlint needs, compiled by bpmnlint's
 * own compile-config (what bpmnlint-pack-config and the rollup/webpack plugins use) from `bpmnlint:recommended`.
 */
const bpmnlintConfig = {
  name: 'bpmnlint-config',
  setup(build) {
    build.onResolve({ filter: /^virtual:bpmnlint-recommended$/ }, (args) => ({ path: args.path, namespace: 'bpmnlint-config' }));
    build.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async () => {
      const compileConfig = require('bpmnlint/lib/support/compile-config');
      return { contents: await compileConfig({ extends: 'bpmnlint:recommended' }), loader: 'js', resolveDir: root };
    });
  },
};

export function bundleOptions({ watch = false } = {}) {
  return {
    absWorkingDir: root,
    entryPoints: {
      modeler: join(browser, 'modeler', 'main.ts'),
      instance: join(browser, 'instance', 'main.ts'),
      tasks: join(browser, 'tasks', 'main.ts'),
      'admin-nav': join(browser, 'admin-nav.ts'),
    },
    outdir: OUT_DIR,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
    tsconfig: join(browser, 'tsconfig.json'),
    minify: !watch,
    sourcemap: 'linked',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': JSON.stringify(watch ? 'development' : 'production') },
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
    assetNames: 'fonts/[name]-[hash]',
    plugins: [bpmnlintConfig],
    logLevel: 'warning',
  };
}

/** What a build was made from: the project's own source files (`BUILD_INPUTS` in the output), to tell whether it is stale. */
export const BUILD_INPUTS = 'build-inputs.json';

/**
 * Builds into a staging folder, then swaps it in: a server (or a test of another process) reading the bundles while this
 * runs finds the old ones or the new ones, not a folder being emptied.
 */
export async function buildBundles() {
  const staging = `${OUT_DIR}.${process.pid}.staging`;
  await rm(staging, { recursive: true, force: true });
  const result = await esbuild.build({ ...bundleOptions(), outdir: staging, metafile: true });
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules') && !file.includes(':'));
  await writeFile(join(staging, BUILD_INPUTS), JSON.stringify({ builtAt: Date.now(), sources }));
  const previous = `${OUT_DIR}.${process.pid}.previous`;
  await rename(OUT_DIR, previous).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(staging, OUT_DIR);
  await rm(previous, { recursive: true, force: true });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, output]) => ({ file: file.replace(`.${process.pid}.staging`, ''), bytes: output.bytes }));
}

async function main() {
  if (process.argv.includes('--watch')) {
    const context = await esbuild.context(bundleOptions({ watch: true }));
    await context.watch();
    process.stdout.write(`watching src/workflow-ui/browser → ${OUT_DIR}\n`);
    return;
  }
  const started = Date.now();
  const outputs = await buildBundles();
  const size = (bytes) => (bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${Math.round(bytes / 1024)} KB`);
  const main = outputs.filter(({ file }) => /\.(js|css)$/.test(file));
  process.stdout.write(`workflow-ui bundles in ${Date.now() - started} ms: ${main.map(({ file, bytes }) => `${file.replace(/^dist\/workflow-ui\//, '')} ${size(bytes)}`).join(', ')}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    process.stderr.write(`workflow-ui bundles failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
