import { Module } from '@nestjs/common';
import { WmsHandOffModule } from '../integrations/wms/wms-hand-off.module';
import { ShipmentDocumentsService } from './documents/shipment-documents.service';
import { FulfillmentService } from './fulfillment.service';
import { PickListService } from './pick-list.service';
import { PickListsController } from './pick-lists.controller';
import { ShipmentsController } from './shipments.controller';

@Module({
  imports: [WmsHandOffModule],
  controllers: [PickListsController, ShipmentsController],
  providers: [FulfillmentService, PickListService, ShipmentDocumentsService],
  exports: [FulfillmentService, PickListService, ShipmentDocumentsService],
})
export class FulfillmentModule {}
