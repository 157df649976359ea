import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrdersModule } from '../orders/orders.module';
import { DemoDataService } from './demo-data.service';
import { SetupService } from './setup.service';

@Module({
  imports: [AuthModule, CatalogModule, InventoryModule, OrdersModule, NotificationsModule],
  providers: [SetupService, DemoDataService],
  exports: [SetupService, DemoDataService],
})
export class SetupModule {}
