import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { CatalogModule } from '../catalog/catalog.module';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { InventoryModule } from '../inventory/inventory.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { IntakeBackPressure } from './intake-back-pressure';
import { OrderBatchService } from './order-batch.service';
import { OrderAllocationService } from './order-allocation.service';
import { OrderMergeService } from './order-merge.service';
import { OrderNotifications } from './order-notifications';
import { OrderRecords } from './order-records';
import { OrderShippingService } from './order-shipping.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { ShipmentShippingController } from './shipment-shipping.controller';
import { OrderTaskSubject } from './task-types/order-task-subject';
import { OrderTaskTypes } from './task-types/order-task-types';

@Module({
  imports: [CatalogModule, InventoryModule, AllocationModule, FulfillmentModule, NotificationsModule],
  controllers: [OrdersController, ShipmentShippingController],
  providers: [OrdersService, IntakeBackPressure, OrderRecords, OrderAllocationService, OrderShippingService, OrderMergeService, OrderNotifications, OrderTaskTypes, OrderBatchService, OrderTaskSubject],
  exports: [OrdersService, IntakeBackPressure, OrderBatchService, OrderShippingService, OrderMergeService, OrderNotifications],
})
export class OrdersModule {}
