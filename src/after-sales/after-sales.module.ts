import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersModule } from '../orders/orders.module';
import { AfterSalesController } from './after-sales.controller';
import { AfterSalesService } from './after-sales.service';
import { FeedbackController } from './feedback.controller';
import { FeedbackService } from './feedback.service';
import { AfterSalesTaskTypes } from './task-types/after-sales-task-types';

/** After-sales (G1.6): cases of every type driven by workflows/after-sales.bpmn, and order feedback. */
@Module({
  imports: [OrdersModule, FulfillmentModule, InventoryModule, AllocationModule],
  controllers: [AfterSalesController, FeedbackController],
  providers: [AfterSalesService, AfterSalesTaskTypes, FeedbackService],
  exports: [AfterSalesService, FeedbackService],
})
export class AfterSalesModule {}
