import { Module } from '@nestjs/common';
import { FulfillmentModule } from '../fulfillment/fulfillment.module';
import { OrdersModule } from '../orders/orders.module';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

/** Carrier adapters, tracking events and logistics alerts (DESIGN "Layout": tracking/). */
@Module({
  imports: [FulfillmentModule, OrdersModule],
  controllers: [TrackingController],
  providers: [TrackingService],
  exports: [TrackingService],
})
export class TrackingModule {}
