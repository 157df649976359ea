import { Module } from '@nestjs/common';
import { FulfillmentModule } from '../../fulfillment/fulfillment.module';
import { IntegrationsModule } from '../integrations.module';
import { CarrierTrackingService } from './carrier-tracking.service';
import { EWaybillService } from './e-waybill.service';
import { WaybillController } from './waybill.controller';

/**
 * Kuaidi100's outbound side (issue 15 item 4): tracking subscriptions and polls for parcels handed over, e-waybills at
 * packing. Its pushes come in through IntegrationsModule's /hooks/{id}.
 */
@Module({
  imports: [IntegrationsModule, FulfillmentModule],
  controllers: [WaybillController],
  providers: [CarrierTrackingService, EWaybillService],
  exports: [EWaybillService],
})
export class CarriersModule {}
