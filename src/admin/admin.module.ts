import { type DynamicModule, Module } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module';
import { AuthService } from '../auth/auth.service';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { InventoryModule } from '../inventory/inventory.module';
import { InventoryService } from '../inventory/inventory.service';
import { OrdersModule } from '../orders/orders.module';
import { OrdersService } from '../orders/orders.service';
import { SettingsService } from '../settings/settings.service';
import { SetupModule } from '../setup/setup.module';
import { SetupService } from '../setup/setup.service';
import { TrackingModule } from '../tracking/tracking.module';
import { TrackingService } from '../tracking/tracking.service';
import { WorkflowUiModule } from '../workflow-ui/workflow-ui.module';
import { WORKFLOW_UI_ASSETS_PATH } from '../workflow-ui/workflow-ui-pages';
import { AdminIdentity } from './admin-auth';
import { adminComponents } from './admin-components';
import { ADMIN_BRANDING, ADMIN_LOCALE } from './admin-locale';
import { createResourceAdapter } from './admin-resource-adapter';
import { type AdminRuntime, loadAdminRuntime } from './admin-runtime';
import { ADMIN_COOKIE_NAME, ADMIN_SESSION_SECRET, AdminSessionModule, AdminSessionStore } from './admin-session';
import { adminResources } from './resources';
import { orderStatusCounts } from './resources/order-status-counts';

export const ADMIN_ROOT_PATH = '/admin';

let adapterRegistered = false;

function registerTypeormAdapter({ adminjs, typeorm }: AdminRuntime): void {
  if (adapterRegistered) return;
  adminjs.default.registerAdapter({ Database: typeorm.Database, Resource: createResourceAdapter(typeorm, adminjs) });
  adapterRegistered = true;
}

/** AdminJS plus the workflow pages it links to (modeler, instance view, tasklist under /admin/workflow-ui). */
@Module({})
export class OmsAdminModule {}

/**
 * The AdminJS back office at /admin. AdminJS and its plugins are ESM-only, so they are imported here, at run time,
 * and Nest receives this module as a Promise<DynamicModule> (STACK trap 1).
 */
export async function createAdminModule(): Promise<DynamicModule> {
  const runtime = await loadAdminRuntime();
  registerTypeormAdapter(runtime);
  const { adminjs, nestjs } = runtime;
  const adminjsModule = nestjs.AdminModule.createAdminAsync({
    imports: [AuthModule, OrdersModule, FulfillmentModule, InventoryModule, TrackingModule, SetupModule, AdminSessionModule],
    inject: [AuthService, OrdersService, FulfillmentService, InventoryService, SettingsService, TrackingService, SetupService, AdminSessionStore, DataSource],
    // explicit, so that /admin is served under Test.createTestingModule too (STACK trap 3)
    customLoader: nestjs.ExpressLoader,
    useFactory: async (
      auth: AuthService,
      orders: OrdersService,
      fulfillment: FulfillmentService,
      inventory: InventoryService,
      settings: SettingsService,
      tracking: TrackingService,
      setup: SetupService,
      sessions: AdminSessionStore,
      db: DataSource,
    ) => {
      const secret = await setup.secret(ADMIN_SESSION_SECRET);
      const identity = new AdminIdentity(auth, db);
      const components = adminComponents(adminjs);
      return {
        adminJsOptions: {
          rootPath: ADMIN_ROOT_PATH,
          loginPath: `${ADMIN_ROOT_PATH}/login`,
          logoutPath: `${ADMIN_ROOT_PATH}/logout`,
          componentLoader: components.loader,
          // G2.1 / G2.2: the home screen shows the orders per status and the work queues
          dashboard: {
            component: components.OrderStatusCounts,
            handler: async (_request, _response, context) => ({ counts: await orderStatusCounts(db, context.h, context.currentAdmin) }),
          },
          resources: adminResources({ adminjs, components, orders, fulfillment, inventory, settings, tracking, identity, sessions, db }),
          branding: ADMIN_BRANDING,
          locale: ADMIN_LOCALE,
          version: { admin: false },
          settings: { defaultPerPage: 20 },
          // makes the workflow actions' redirects to /admin/workflow-ui/* full page loads (see browser/admin-nav.ts)
          assets: { scripts: [`${WORKFLOW_UI_ASSETS_PATH}/admin-nav.js`] },
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
  return { module: OmsAdminModule, imports: [adminjsModule, WorkflowUiModule] };
}
