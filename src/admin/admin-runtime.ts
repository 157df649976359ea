import { join } from 'node:path';
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
