import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { ShipShipmentDto } from './dto/create-order.dto';
import { OrdersService } from './orders.service';

/**
 * `POST /api/shipments/{id}/ship` (API.md): lives with the orders because shipping changes the order (its status,
 * the stock leaving, the workflow's OrderShipped); the shipment belongs to FulfillmentModule, which orders import.
 */
@ApiTags('warehouse and shipping')
@ApiBearerAuth()
@Controller('api/shipments')
export class ShipmentShippingController {
  constructor(
    private readonly orders: OrdersService,
    private readonly fulfillment: FulfillmentService,
  ) {}

  @Post(':id/ship')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  async ship(@Param('id') id: string, @Body() body: ShipShipmentDto, @CurrentActor() actor: Actor) {
    const shipment = await this.fulfillment.getShipment(id);
    // an order is allocated to one warehouse today, so its shipment is all of it (API.md "warehouse?, lines?")
    await this.orders.ship(shipment.orderId, body.carrier, body.trackingNumber, actor, { warehouse: shipment.warehouse });
    return this.fulfillment.getShipment(id);
  }
}
