import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { IsIsoTime } from '../common/validation';
import { AmendOrderDto, ManualAllocationDto } from './dto/amend-order.dto';
import { IntakeBackPressure } from './intake-back-pressure';
import { CreateOrderDto, MergeOrdersDto, OptionalReasonDto, PaymentConfirmationDto, ReasonDto, ShipOrderDto } from './dto/create-order.dto';
import { OrderMergeService } from './order-merge.service';
import { ORDER_STATUSES } from './order-status';
import type { OrderView } from './order-view';
import { OrdersService } from './orders.service';

class OrderQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'pending_review,exception', description: 'one or more statuses, comma-separated' })
  @IsOptional() @IsString() @Matches(new RegExp(`^(${ORDER_STATUSES.join('|')})(,(${ORDER_STATUSES.join('|')}))*$`), { message: `must be one or more of ${ORDER_STATUSES.join(', ')}` }) status?: string;
  @ApiPropertyOptional({ example: '138001', description: 'one search box (G2.5): part of the order number, the customer name or phone, or a SKU of a line' })
  @IsOptional() @IsString() @MaxLength(64) q?: string;
  @ApiPropertyOptional({ example: 'SO261125000001' }) @IsOptional() @IsString() @MaxLength(32) number?: string;
  @ApiPropertyOptional({ example: '13800138000' }) @IsOptional() @IsString() @MaxLength(40) phone?: string;
  @ApiPropertyOptional({ example: 'TEA-001' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional({ example: 'tmall' }) @IsOptional() @IsString() @MaxLength(40) channel?: string;
  @ApiPropertyOptional({ example: '2026-11-01', description: 'placed at or after (ISO 8601)' }) @IsOptional() @IsIsoTime() from?: string;
  @ApiPropertyOptional({ example: '2026-11-30T23:59:59+08:00', description: 'placed at or before (ISO 8601)' }) @IsOptional() @IsIsoTime() to?: string;
}

@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly merge: OrderMergeService,
    private readonly backPressure: IntakeBackPressure,
  ) {}

  /** 201 with a new order; 200 with the existing one for a repeated (channel, externalId); 429 while the step backlog is full. */
  @Post()
  @RequirePermission('orders.write')
  async create(@Body() body: CreateOrderDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: Response): Promise<OrderView> {
    await this.backPressure.admit();
    const { order, created } = await this.orders.intake(body, actor);
    response.status(created ? 201 : 200);
    return order;
  }

  @Get()
  @RequirePermission('orders.read')
  async list(@Query() query: OrderQuery): Promise<Page<OrderView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.orders.list(query, offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get(':id')
  @RequirePermission('orders.read')
  get(@Param('id') id: string): Promise<OrderView> {
    return this.orders.get(id);
  }

  /** Amend customer, address, lines or notes while pending_payment|pending_review|exception; reviewed again at once (409 otherwise). */
  @Patch(':id')
  @RequirePermission('orders.write')
  amend(@Param('id') id: string, @Body() body: AmendOrderDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.amend(id, body, actor);
  }

  /**
   * Issue 5 item 5: orders of the same customer and address, allocated but not yet picked, leave as one parcel per warehouse.
   * 200 `{parcels: [shipment]}`; 409 when an order's status or picking forbids it, 422 for different customers or addresses.
   */
  @Post('merge')
  @HttpCode(200)
  @RequirePermission('orders.write')
  async mergeOrders(@Body() body: MergeOrdersDto, @CurrentActor() actor: Actor) {
    return { parcels: await this.merge.mergeOrders(body.orders, actor) };
  }

  /** G2.3: a person chooses the warehouse and/or the quantities to ship now (awaiting_stock|awaiting_shipment; 409 otherwise). */
  @Post(':id/allocation')
  @HttpCode(200)
  @RequirePermission('orders.write')
  allocate(@Param('id') id: string, @Body() body: ManualAllocationDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.allocateManually(id, body, actor);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermission('orders.approve')
  approve(@Param('id') id: string, @Body() body: OptionalReasonDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.approve(id, actor, body?.reason);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequirePermission('orders.approve')
  reject(@Param('id') id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.reject(id, body.reason, actor);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermission('orders.write')
  cancel(@Param('id') id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.cancel(id, body.reason, actor);
  }

  @Post(':id/payments')
  @HttpCode(200)
  @RequirePermission('orders.write')
  pay(@Param('id') id: string, @Body() body: PaymentConfirmationDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.confirmPayment(id, body, actor);
  }

  /** One-step shipment confirmation where no WMS is used (G2.4). */
  @Post(':id/shipments')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  ship(@Param('id') id: string, @Body() body: ShipOrderDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.ship(id, body.carrier, body.trackingNumber, actor, { warehouse: body.warehouse, lines: body.lines });
  }

  /** G1.6: the customer received the order: shipped or delivered → completed; 409 invalid_state otherwise. */
  @Post(':id/confirm-receipt')
  @HttpCode(200)
  @RequirePermission('orders.write')
  confirmReceipt(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.orders.confirmReceipt(id, actor);
  }
}

