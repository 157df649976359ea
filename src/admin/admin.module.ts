import type { DynamicModule } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module';
import { AuthService } from '../auth/auth.service';
import { OrdersModule } from '../orders/orders.module';
import { OrdersService } from '../orders/orders.service';
import { SetupModule } from '../setup/setup.module';
import { SetupService } from '../setup/setup.service';
import { AdminIdentity } from './admin-auth';
import { ADMIN_BRANDING, ADMIN_LOCALE } from './admin-locale';
import { createResourceAdapter } from './admin-resource-adapter';
import { type AdminRuntime, loadAdminRuntime } from './admin-runtime';
import { ADMIN_COOKIE_NAME, AdminSessionModule, AdminSessionStore } from './admin-session';
import { adminResources } from './resources';

export const ADMIN_ROOT_PATH = '/admin';
/** Persistent random secret (SetupService) signing the admin session cookie. */
export const ADMIN_SESSION_SECRET = 'admin-session';

let adapterRegistered = false;

function registerTypeormAdapter({ adminjs, typeorm }: AdminRuntime): void {
  if (adapterRegistered) return;
  adminjs.default.registerAdapter({ Database: typeorm.Database, Resource: createResourceAdapter(typeorm, adminjs) });
  adapterRegistered = true;
}

/**
 * The AdminJS back office at /admin. AdminJS and its plugins are ESM-only, so they are imported here, at run time,
 * and Nest receives this module as a Promise<DynamicModule> (STACK trap 1).
 */
export async function createAdminModule(): Promise<DynamicModule> {
  const runtime = await loadAdminRuntime();
  registerTypeormAdapter(runtime);
  const { adminjs, nestjs } = runtime;
  return nestjs.AdminModule.createAdminAsync({
    imports: [AuthModule, OrdersModule, SetupModule, AdminSessionModule],
    inject: [AuthService, OrdersService, SetupService, AdminSessionStore, DataSource],
    // explicit, so that /admin is served under Test.createTestingModule too (STACK trap 3)
    customLoader: nestjs.ExpressLoader,
    useFactory: async (auth: AuthService, orders: OrdersService, setup: SetupService, sessions: AdminSessionStore, db: DataSource) => {
      const secret = await setup.secret(ADMIN_SESSION_SECRET);
      const identity = new AdminIdentity(auth, db);
      return {
        adminJsOptions: {
          rootPath: ADMIN_ROOT_PATH,
          loginPath: `${ADMIN_ROOT_PATH}/login`,
          logoutPath: `${ADMIN_ROOT_PATH}/logout`,
          resources: adminResources({ adminjs, orders, identity, sessions, db }),
          branding: ADMIN_BRANDING,
          locale: ADMIN_LOCALE,
          version: { admin: false },
          settings: { defaultPerPage: 20 },
        },
        auth: {
          // the same users, passwords and login throttling as POST /api/auth/login
          authenticate: (email: string, password: string, context?: { req?: Request }) => identity.authenticate(email, password, context),
          cookieName: ADMIN_COOKIE_NAME,
          cookiePassword: secret,
        },
        sessionOptions: sessions.sessionOptions(secret),
        formidableOptions: { maxFieldsSize: 2 * 1024 * 1024, maxFileSize: 2 * 1024 * 1024 },
      };
    },
  });
}
