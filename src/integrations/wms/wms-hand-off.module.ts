import { Module } from '@nestjs/common';
import { ConnectorsModule } from '../connectors.module';
import { WmsHandOffService } from './wms-hand-off.service';

/**
 * The WMS hand-off (issue 15 item 5) as fulfilment needs it: the instruction queued when a shipment is allocated, the cancel,
 * and whether staff or a WMS works a shipment. Imported by FulfillmentModule; it needs only the connectors (no cycle).
 */
@Module({
  imports: [ConnectorsModule],
  providers: [WmsHandOffService],
  exports: [WmsHandOffService],
})
export class WmsHandOffModule {}
