import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/auth.decorators';
import { type Actor, CurrentActor } from '../../common/actor';
import type { ShipmentDetail } from '../../fulfillment/fulfillment.service';
import { ShipShipmentDto } from '../../orders/dto/create-order.dto';
import { WmsConfirmationsService } from './wms-confirmations.service';

/**
 * Issue 15 item 5: what a WMS calls back with its API key (role wms, permission wms.confirm, named in its connector's
 * settings.apiKeyId). Dedicated routes rather than the staff's: a single shipment's pick has no staff route (staff pick in
 * waves), and the WMS's key must reach these three confirmations of its own warehouses and nothing else.
 */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/wms/shipments')
export class WmsConfirmationsController {
  constructor(private readonly confirmations: WmsConfirmationsService) {}

  @Post(':id/pick')
  @HttpCode(200)
  @RequirePermission('wms.confirm')
  pick(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ShipmentDetail> {
    return this.confirmations.pick(id, actor);
  }

  @Post(':id/pack')
  @HttpCode(200)
  @RequirePermission('wms.confirm')
  pack(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ShipmentDetail> {
    return this.confirmations.pack(id, actor);
  }

  @Post(':id/ship')
  @HttpCode(200)
  @RequirePermission('wms.confirm')
  ship(@Param('id') id: string, @Body() body: ShipShipmentDto, @CurrentActor() actor: Actor): Promise<ShipmentDetail> {
    return this.confirmations.ship(id, body.carrier, body.trackingNumber, actor);
  }
}
