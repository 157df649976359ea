import { type DynamicModule, Module } from '@nestjs/common';
import { AfterSalesModule } from './after-sales/after-sales.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BackupsModule } from './backups/backups.module';
import { CatalogModule } from './catalog/catalog.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DATABASE_LOCATION, type DatabaseLocation } from './database/database-location';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { IntegrationsModule } from './integrations/integrations.module';
import { CarriersModule } from './integrations/kuaidi100/carriers.module';
import { InventoryModule } from './inventory/inventory.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { ReportsModule } from './reports/reports.module';
import { CustomersModule } from './customers/customers.module';
import { SettingsModule } from './settings/settings.module';
import { SetupModule } from './setup/setup.module';
import { TrackingModule } from './tracking/tracking.module';
import { ExceptionsModule } from './exceptions/exceptions.module';
import { WorkflowModule } from './workflow/workflow.module';

@Module({})
export class AppModule {
  /** `extraImports` is where the admin (an ESM-only package, loaded asynchronously) plugs in. */
  static forRoot(config: AppConfig, location: DatabaseLocation, extraImports: Array<Promise<DynamicModule> | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(location.url, location.poolSize, location.embedded, {
          connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
          // the embedded database is this process's own: nothing to bound, and its single connection serves every query
          statementTimeoutMs: location.embedded ? 0 : config.DATABASE_STATEMENT_TIMEOUT_MS,
        }),
        MetricsModule,
        AuditModule,
        WorkflowModule,
        SettingsModule,
        AuthModule,
        CatalogModule,
        InventoryModule,
        OrdersModule,
        TrackingModule,
        ExceptionsModule,
        AfterSalesModule,
        ReportsModule,
        CustomersModule,
        SetupModule,
        BackupsModule,
        IntegrationsModule,
        CarriersModule,
        ...extraImports,
      ],
      controllers: [HealthController],
      providers: [{ provide: DATABASE_LOCATION, useValue: location }],
      exports: [DATABASE_LOCATION],
      global: true,
    };
  }
}
