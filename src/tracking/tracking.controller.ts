import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, pageWindow } from '../common/pagination';
import { CarrierEventsDto, LogisticsAlertQuery, SimulateCarrierDto } from './dto/carrier-events.dto';
import { type LogisticsAlertView, TrackingService } from './tracking.service';

@ApiTags('tracking')
@ApiBearerAuth()
@Controller('api')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  /** The simulated carrier reports the parcel's journey (demo data, demos); declared before :carrier/events on purpose. */
  @Post('carriers/simulated/advance')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  simulate(@Body() body: SimulateCarrierDto, @CurrentActor() actor: Actor): Promise<{ accepted: number; duplicates: number }> {
    return this.tracking.simulate(body.trackingNumber, body.toDelivered ?? false, actor);
  }

  /** Carrier tracking pushes (API.md "Warehouse and shipping"); duplicate events are stored once. */
  @Post('carriers/:carrier/events')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  events(@Param('carrier') carrier: string, @Body() body: CarrierEventsDto, @CurrentActor() actor: Actor): Promise<{ accepted: number; duplicates: number }> {
    return this.tracking.ingest(carrier, body.trackingNumber, body.events, actor);
  }

  /** G1.5 logistics alerts: address problems and delivery exceptions reported by carriers, and stale tracking. */
  @Get('logistics-alerts')
  @RequirePermission('orders.read')
  async alerts(@Query() query: LogisticsAlertQuery): Promise<Page<LogisticsAlertView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.tracking.alerts(query.status ?? 'open', offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Post('logistics-alerts/:id/resolve')
  @HttpCode(200)
  @RequirePermission('orders.write')
  resolve(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<LogisticsAlertView> {
    return this.tracking.resolveAlert(id, actor);
  }
}
