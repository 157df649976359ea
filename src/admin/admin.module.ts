import { type DynamicModule, Inject, Logger, type MiddlewareConsumer, Module, type NestModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AdminModuleOptions } from '@adminjs/nestjs';
import type AdminJS from 'adminjs';
import type { Application, NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AfterSalesModule } from '../after-sales/after-sales.module';
import { AfterSalesService } from '../after-sales/after-sales.service';
import { AuthModule } from '../auth/auth.module';
import { BackupsModule } from '../backups/backups.module';
import { BackupsService } from '../backups/backups.service';
import { ExceptionsModule } from '../exceptions/exceptions.module';
import { IntegrationDeliveriesService } from '../integrations/deliveries.service';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationsService } from '../integrations/integrations.service';
import { ExceptionQueuesService } from '../exceptions/exception-queues.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { AuthService } from '../auth/auth.service';
import { RolesService } from '../auth/roles.service';
import { UsersService } from '../auth/users.service';
import { NotFoundError } from '../common/errors';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { PickListService } from '../fulfillment/pick-list.service';
import { InventoryModule } from '../inventory/inventory.module';
import { InventoryService } from '../inventory/inventory.service';
import { NotificationTemplatesService } from '../notifications/notification-templates.service';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationsService } from '../notifications/notifications.service';
import { OrdersModule } from '../orders/orders.module';
import { OrderMergeService } from '../orders/order-merge.service';
import { OrderBatchService } from '../orders/order-batch.service';
import { OrderListController } from './order-list.controller';
import { CustomersModule } from '../customers/customers.module';
import { CustomersService } from '../customers/customers.service';
import { CUSTOMERS_PAGE, customersPage } from './customers-page';
import { OrdersService } from '../orders/orders.service';
import { ReportsModule } from '../reports/reports.module';
import { ReportsService } from '../reports/reports.service';
import { SettingsService } from '../settings/settings.service';
import { SetupModule } from '../setup/setup.module';
import { SetupService } from '../setup/setup.service';
import { TrackingModule } from '../tracking/tracking.module';
import { TrackingService } from '../tracking/tracking.service';
import { AdminSessionMiddleware, WorkflowUiModule } from '../workflow-ui/workflow-ui.module';
import { WORKFLOW_UI_ASSETS_PATH } from '../workflow-ui/workflow-ui-pages';
import { changePasswordPage } from './actions/account.actions';
import { backupsPage, backupTile } from './actions/backups.page';
import { settingsPage } from './actions/settings.page';
import { AuditService } from '../audit/audit.service';
import { AfterSalesAttachmentsController } from './after-sales-attachments.controller';
import { BackupDownloadController } from './backup-download.controller';
import { AdminIdentity } from './admin-auth';
import { adminComponents } from './admin-components';
import { useCheckedControllers } from './admin-controllers';
import { ADMIN_BRANDING } from './admin-locale';
import { AdminLocaleController } from './admin-locale.controller';
import { AdminFontsController, serveLocalFonts } from './admin-fonts';
import { adminLocale, languageOf } from './locale';
import { createResourceAdapter } from './admin-resource-adapter';
import { type AdminRuntime, loadAdminRuntime, serveComponentsBundle } from './admin-runtime';
import { refuseForgedAdminRequests } from './admin-same-origin';
import { adminSecurityHeaders } from './admin-security-headers';
import { ADMIN_COOKIE_NAME, ADMIN_SESSION_SECRET, AdminSessionModule, AdminSessionStore } from './admin-session';
import { can } from './admin-access';
import { dashboardReports, reportsPage } from './reports-page';
import { dashboardFigures, exceptionQueuesPage } from './exception-queues-page';
import { integrationsPage } from './integrations-page';
import { ReportsDownloadController } from './reports-download.controller';
import { WarehouseDocumentsController } from './warehouse-documents.controller';
import { adminResources } from './resources';
import { afterSalesCounts, notificationCounts, orderStatusCounts } from './resources/order-status-counts';
import { BACKUPS_PAGE, CHANGE_PASSWORD_PAGE, EXCEPTION_QUEUES_PAGE, INTEGRATIONS_PAGE, REPORTS_PAGE, SETTINGS_PAGE } from './ui-contract';

export const ADMIN_ROOT_PATH = '/admin';

let adapterRegistered = false;

function registerTypeormAdapter({ adminjs, typeorm }: AdminRuntime): void {
  if (adapterRegistered) return;
  adminjs.default.registerAdapter({ Database: typeorm.Database, Resource: createResourceAdapter(typeorm, adminjs) });
  adapterRegistered = true;
}

const ADMIN_RUNTIME = Symbol('ADMIN_RUNTIME');
const ADMIN_MODULE_OPTIONS = Symbol('ADMIN_MODULE_OPTIONS');

/**
 * AdminJS at /admin plus the workflow pages it links to (modeler, instance view, tasklist under /admin/workflow-ui).
 * Does what @adminjs/nestjs's AdminModule does (new AdminJS, then its ExpressLoader), minus the bundling at start:
 * that one calls `admin.watch()` (development: a rollup watcher, STACK trap 4) and @adminjs/express calls
 * `admin.initialize()` (production: rollup at start) without catching either, so a bundling failure — e.g. babel
 * not finding its plugins when started from another directory — killed the process. The components bundle is built
 * by `npm run build` instead; serveComponentsBundle decides what /admin serves.
 */
@Module({})
export class OmsAdminModule implements OnModuleInit, NestModule {
  private readonly logger = new Logger('Admin');
  /** The running AdminJS (its resources and actions: the access matrix test reads them from here). */
  admin?: AdminJS;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ADMIN_RUNTIME) private readonly runtime: AdminRuntime,
    @Inject(ADMIN_MODULE_OPTIONS) private readonly options: AdminModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const { adminjs, nestjs } = this.runtime;
    const admin = new adminjs.default(this.options.adminJsOptions);
    this.admin = admin;
    // in production without a usable pre-built bundle this throws, and the start stops with how to fix it
    serveComponentsBundle(this.runtime, admin, this.logger);
    // never bundle at start: @adminjs/express calls this and does not wait for it
    admin.initialize = async () => undefined;
    useCheckedControllers(adminjs);
    // explicit loader, not @adminjs/nestjs's choice, so that /admin is served under Test.createTestingModule too (STACK trap 3)
    await new nestjs.ExpressLoader().register(admin, this.adapterHost.httpAdapter, { ...this.options, adminJsOptions: admin.options });
    guardAdminRoutes(this.adapterHost.httpAdapter.getInstance<Application>());
  }

  /** The admin's own routes outside AdminJS (a case's evidence) get the admin session whether or not AdminJS's router ran first. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminSessionMiddleware).forRoutes(AfterSalesAttachmentsController, BackupDownloadController, ReportsDownloadController, AdminLocaleController, OrderListController, WarehouseDocumentsController);
  }
}

/** @adminjs/express always routes POST /admin/refresh-token, which throws (500) without an auth provider; we have none. */
function noTokenRefresh(request: Request, _response: Response, next: NextFunction): void {
  next(/^\/refresh-token\/?$/.test(request.path) ? new NotFoundError('Page', request.originalUrl) : undefined);
}

/**
 * Puts the security headers and the forged-request refusal in front of everything under /admin: AdminJS's router (which
 * the loader moved to the top of the stack, before the body parsers), its login form, and our routes under /admin.
 */
function guardAdminRoutes(app: Application): void {
  const guards: string[] = [adminSecurityHeaders.name, serveLocalFonts.name, refuseForgedAdminRequests.name, noTokenRefresh.name];
  app.use(ADMIN_ROOT_PATH, adminSecurityHeaders, serveLocalFonts, refuseForgedAdminRequests, noTokenRefresh);
  const stack = (app as Application & { router: { stack: Array<{ name: string }> } }).router.stack;
  const moved = stack.filter((layer) => guards.includes(layer.name));
  const rest = stack.filter((layer) => !guards.includes(layer.name));
  const adminAt = rest.findIndex((layer) => layer.name === 'admin');
  if (adminAt < 0 || moved.length !== guards.length) throw new Error('the AdminJS router was not found in the Express stack: /admin would be unguarded');
  stack.splice(0, stack.length, ...rest.slice(0, adminAt), ...moved, ...rest.slice(adminAt));
}

/**
 * The AdminJS back office at /admin. AdminJS and its plugins are ESM-only, so they are imported here, at run time,
 * and Nest receives this module as a Promise<DynamicModule> (STACK trap 1).
 */
export async function createAdminModule(): Promise<DynamicModule> {
  const runtime = await loadAdminRuntime();
  registerTypeormAdapter(runtime);
  const { adminjs } = runtime;
  return {
    module: OmsAdminModule,
    imports: [AuthModule, OrdersModule, FulfillmentModule, InventoryModule, TrackingModule, AfterSalesModule, NotificationsModule, SetupModule, AdminSessionModule, WorkflowUiModule, BackupsModule, ReportsModule, ExceptionsModule, CustomersModule, IntegrationsModule],
    controllers: [AfterSalesAttachmentsController, BackupDownloadController, ReportsDownloadController, AdminLocaleController, AdminFontsController, OrderListController, WarehouseDocumentsController],
    providers: [
      AdminSessionMiddleware,
      // the admin's own routes outside AdminJS (evidence, report downloads) check the session's user with it
      { provide: AdminIdentity, inject: [AuthService, DataSource], useFactory: (auth: AuthService, db: DataSource) => new AdminIdentity(auth, db) },
      { provide: ADMIN_RUNTIME, useValue: runtime },
      {
        provide: ADMIN_MODULE_OPTIONS,
        inject: [
          AuthService, OrdersService, OrderMergeService, FulfillmentService, InventoryService, SettingsService, TrackingService, AfterSalesService,
          NotificationsService, NotificationTemplatesService, SetupService, AdminSessionStore, DataSource, UsersService, RolesService, ApiKeysService,
          BackupsService, ReportsService, ExceptionQueuesService, OrderBatchService, CustomersService, AuditService, PickListService,
          IntegrationsService, IntegrationDeliveriesService,
        ],
        useFactory: async (
          auth: AuthService,
          orders: OrdersService,
          merge: OrderMergeService,
          fulfillment: FulfillmentService,
          inventory: InventoryService,
          settings: SettingsService,
          tracking: TrackingService,
          cases: AfterSalesService,
          notifications: NotificationsService,
          templates: NotificationTemplatesService,
          setup: SetupService,
          sessions: AdminSessionStore,
          db: DataSource,
          users: UsersService,
          roles: RolesService,
          apiKeys: ApiKeysService,
          backups: BackupsService,
          reports: ReportsService,
          exceptionQueues: ExceptionQueuesService,
          batch: OrderBatchService,
          customers: CustomersService,
          audit: AuditService,
          pickLists: PickListService,
          integrations: IntegrationsService,
          integrationDeliveries: IntegrationDeliveriesService,
        ): Promise<AdminModuleOptions> => {
          const secret = await setup.secret(ADMIN_SESSION_SECRET);
          const identity = new AdminIdentity(auth, db);
          const components = adminComponents(adminjs);
          return {
            adminJsOptions: {
              rootPath: ADMIN_ROOT_PATH,
              loginPath: `${ADMIN_ROOT_PATH}/login`,
              logoutPath: `${ADMIN_ROOT_PATH}/logout`,
              componentLoader: components.loader,
              // G2.1 / G2.2: the home screen shows the orders per status and the work queues, after-sales ones too (G1.6), and undelivered messages (G3.2)
              dashboard: {
                component: components.OrderStatusCounts,
                handler: async (_request, _response, context) => ({
                  counts: {
                    ...(await orderStatusCounts(db, context.h, context.currentAdmin)),
                    afterSales: await afterSalesCounts(cases, context.h, context.currentAdmin),
                    notifications: await notificationCounts(notifications, context.h, context.currentAdmin),
                    ...(can(context.currentAdmin, 'backups.manage') ? { backups: await backupTile(backups) } : {}),
                  },
                  // G2.1 / G2.6: new today and this month, shipped today, and the exceptions per queue, each opening its list
                  figures: await dashboardFigures(db, exceptionQueues, settings, context.h, context.currentAdmin),
                  // G4: the last 30 days' orders and revenue, and their statuses, each linking to the filtered order list
                  reports: await dashboardReports(reports, context.h, context.currentAdmin),
                }),
              },
              resources: adminResources({ adminjs, components, orders, batch, merge, fulfillment, pickLists, inventory, settings, tracking, cases, notifications, templates, identity, sessions, db, users, roles, apiKeys }),
              // G3.3: every signed-in user changes their own password here
              pages: {
                // G2.6: 异常处理, one queue per kind of exception, worked in place (orders.read to look, orders.write to work)
                [EXCEPTION_QUEUES_PAGE]: { component: components.ExceptionQueues, icon: 'AlertTriangle', handler: exceptionQueuesPage(identity, exceptionQueues, tracking) },
                // G2.1 navigation: customers derived from the orders, their orders, cases and spend; contact corrections
                [CUSTOMERS_PAGE]: { component: components.CustomersPage, icon: 'Users', handler: customersPage(identity, customers) },
                // G4: the reports with a chart and CSV / XLSX downloads (reports.read)
                [REPORTS_PAGE]: { component: components.ReportsPage, icon: 'BarChart2', handler: reportsPage(reports, settings) },
                // G3.1: the flow rules (settings.read to look, settings.manage to change, as the API)
                [SETTINGS_PAGE]: { component: components.SettingsPage, icon: 'Sliders', handler: settingsPage({ identity, settings, audit, inventory }) },
                [CHANGE_PASSWORD_PAGE]: { component: components.ChangePassword, icon: 'Key', handler: changePasswordPage({ adminjs, identity, users, roles, apiKeys }) },
                // issue 13: backups, for holders of backups.manage (others see that they may not)
                [BACKUPS_PAGE]: { component: components.Backups, icon: 'Archive', handler: backupsPage(identity, backups) },
                // issue 15 item 6: 对接管理, connectors and their deliveries (integrations.manage, as /api/integrations)
                [INTEGRATIONS_PAGE]: { component: components.Integrations, icon: 'Link', handler: integrationsPage(identity, integrations, integrationDeliveries) },
              },
              branding: ADMIN_BRANDING,
              // issue 14: the signed-in user's language (their saved locale), else the install's (settings `locale`: the login page)
              locale: async (currentAdmin) => adminLocale(languageOf(currentAdmin, (await settings.get()).locale)),
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
      },
    ],
  };
}
