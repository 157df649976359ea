import { Module } from '@nestjs/common';
import { FulfillmentModule } from '../../fulfillment/fulfillment.module';
import { OrdersModule } from '../../orders/orders.module';
import { WmsConfirmationsController } from './wms-confirmations.controller';
import { WmsConfirmationsService } from './wms-confirmations.service';
import { WmsHandOffModule } from './wms-hand-off.module';

/** The WMS's confirmations of pick, pack and ship (issue 15 item 5): they move orders, so they live beside OrdersModule. */
@Module({
  imports: [WmsHandOffModule, FulfillmentModule, OrdersModule],
  controllers: [WmsConfirmationsController],
  providers: [WmsConfirmationsService],
})
export class WmsModule {}
