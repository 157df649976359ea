import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import { type Page, pageWindow } from '../common/pagination';
import { type DeliveryView, IntegrationDeliveriesService } from './deliveries.service';
import { DeliveriesQuery } from './dto/integration.dto';

/**
 * A connector's inbound deliveries and the replay of a failed one (issue 15 item 6), integrations.manage. Beside
 * IntegrationsController (ConnectorsModule), here because a replay runs the webhook processing, which needs the orders.
 */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/integrations')
export class IntegrationDeliveriesController {
  constructor(private readonly deliveries: IntegrationDeliveriesService) {}

  /** The connector's deliveries, newest first (`?outcome=failed` for those that may need a replay); never a body. */
  @Get(':id/deliveries')
  @RequirePermission('integrations.manage')
  async list(@Param('id') id: string, @Query() query: DeliveriesQuery): Promise<Page<DeliveryView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.deliveries.list(id, { offset, limit: pageSize, outcome: query.outcome });
    return { items, page, pageSize, total };
  }

  /** A failed delivery through the same processing again → 200 with the delivery as it is now; 409 when it is not a failed one. */
  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(200)
  @RequirePermission('integrations.manage')
  replay(@Param('id') id: string, @Param('deliveryId') deliveryId: string, @CurrentActing() by: Acting): Promise<DeliveryView> {
    return this.deliveries.replay(id, deliveryId, by);
  }
}
