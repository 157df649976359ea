import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/auth.decorators';
import type { PackedShipment } from '../../fulfillment/fulfillment.service';
import { EWaybillService } from './e-waybill.service';

/**
 * `POST /api/shipments/{id}/waybill` (beyond API.md, issue 15 item 4): asks the carrier's label service again for a packed
 * parcel's e-waybill (after its service was down); answers the shipment with `waybill {status, carrier, trackingNumber,
 * message}`. An issued waybill is answered as it is, never requested twice.
 */
@ApiTags('warehouse and shipping')
@ApiBearerAuth()
@Controller('api/shipments')
export class WaybillController {
  constructor(private readonly waybills: EWaybillService) {}

  @Post(':id/waybill')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  retry(@Param('id') id: string): Promise<PackedShipment> {
    return this.waybills.retry(id);
  }
}
