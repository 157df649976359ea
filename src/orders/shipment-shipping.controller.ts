import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { ShipShipmentDto } from './dto/create-order.dto';
import { OrderShippingService } from './order-shipping.service';

/**
 * `POST /api/shipments/{id}/ship` (API.md): lives with the orders because shipping changes the order (its status,
 * the stock leaving, the workflow's OrderShipped); the shipment belongs to FulfillmentModule, which orders import.
 */
@ApiTags('warehouse and shipping')
@ApiBearerAuth()
@Controller('api/shipments')
export class ShipmentShippingController {
  constructor(
    private readonly shipping: OrderShippingService,
    private readonly fulfillment: FulfillmentService,
  ) {}

  @Post(':id/ship')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  async ship(@Param('id') id: string, @Body() body: ShipShipmentDto, @CurrentActor() actor: Actor) {
    await this.shipping.shipShipment(id, body.carrier, body.trackingNumber, actor);
    return this.fulfillment.getShipment(id);
  }
}
