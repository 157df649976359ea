import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type ShipmentDocument, ShipmentDocumentsService } from './documents/shipment-documents.service';
import { FulfillmentService, type ShipmentDetail } from './fulfillment.service';

@ApiTags('warehouse and shipping')
@ApiBearerAuth()
@Controller('api/shipments')
export class ShipmentsController {
  constructor(
    private readonly fulfillment: FulfillmentService,
    private readonly documents: ShipmentDocumentsService,
  ) {}

  @Get(':id')
  @RequirePermission('orders.read')
  get(@Param('id') id: string): Promise<ShipmentDetail> {
    return this.fulfillment.getShipment(id);
  }

  /** Pack confirmation (G1.4): from allocated or picking; anything else is 409 invalid_state. */
  @Post(':id/pack')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  pack(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<ShipmentDetail> {
    return this.fulfillment.pack(id, actor.name);
  }

  @Get(':id/label.pdf')
  @ApiProduces('application/pdf')
  @RequirePermission('orders.read')
  label(@Param('id') id: string, @Res() response: Response): Promise<void> {
    return this.send(id, 'label', response);
  }

  @Get(':id/packing-slip.pdf')
  @ApiProduces('application/pdf')
  @RequirePermission('orders.read')
  packingSlip(@Param('id') id: string, @Res() response: Response): Promise<void> {
    return this.send(id, 'packing-slip', response);
  }

  @Get(':id/invoice.pdf')
  @ApiProduces('application/pdf')
  @RequirePermission('orders.read')
  invoice(@Param('id') id: string, @Res() response: Response): Promise<void> {
    return this.send(id, 'invoice', response);
  }

  private async send(id: string, document: ShipmentDocument, response: Response): Promise<void> {
    const { pdf, filename } = await this.documents.render(id, document);
    response
      .status(200)
      .set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${filename}"`, 'Content-Length': String(pdf.length), 'Cache-Control': 'no-store' })
      .end(pdf);
  }
}
