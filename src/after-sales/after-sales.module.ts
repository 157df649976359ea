import { Module } from '@nestjs/common';
import { AllocationModule } from '../allocation/allocation.module';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersModule } from '../orders/orders.module';
import { RateLimitModule } from '../common/rate-limit';
import { SetupModule } from '../setup/setup.module';
import { AfterSalesController } from './after-sales.controller';
import { AfterSalesDemo } from './after-sales-demo';
import { AfterSalesService } from './after-sales.service';
import { CustomerLinkController, CustomerLinkThrottleGuard, CustomerLinkValidGuard, CustomerPageController } from './customer-link.controller';
import { CustomerLinkThrottle } from './customer-link-throttle';
import { CustomerLinkService } from './customer-link.service';
import { FeedbackController } from './feedback.controller';
import { FeedbackService } from './feedback.service';
import { AfterSalesTaskTypes } from './task-types/after-sales-task-types';
import { CaseTaskSubject } from './task-types/case-task-subject';

/** After-sales (G1.6): cases of every type driven by workflows/after-sales.bpmn, order feedback, and the customer's signed link to open and follow cases. */
@Module({
  imports: [OrdersModule, FulfillmentModule, InventoryModule, AllocationModule, SetupModule, RateLimitModule],
  controllers: [AfterSalesController, FeedbackController, CustomerLinkController, CustomerPageController],
  providers: [AfterSalesService, AfterSalesTaskTypes, CaseTaskSubject, AfterSalesDemo, FeedbackService, CustomerLinkService, CustomerLinkThrottle, CustomerLinkThrottleGuard, CustomerLinkValidGuard],
  exports: [AfterSalesService, FeedbackService, CustomerLinkService],
})
export class AfterSalesModule {}
