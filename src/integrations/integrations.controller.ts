import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { type DeliveryView, IntegrationDeliveriesService } from './deliveries.service';
import { CreateIntegrationDto, DeliveriesQuery, UpdateIntegrationDto } from './dto/integration.dto';
import { type IntegrationView, IntegrationsService } from './integrations.service';

/** Connectors (G5.2, issue 15), integrations.manage: the secrets go in and never come out. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/integrations')
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly deliveries: IntegrationDeliveriesService,
  ) {}

  @Post()
  @RequirePermission('integrations.manage')
  create(@Body() body: CreateIntegrationDto, @CurrentActing() by: Acting): Promise<IntegrationView> {
    return this.integrations.create(body, by);
  }

  @Get()
  @RequirePermission('integrations.manage')
  async list(@Query() query: PageQuery): Promise<Page<IntegrationView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.integrations.list(offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get(':id')
  @RequirePermission('integrations.manage')
  get(@Param('id') id: string): Promise<IntegrationView> {
    return this.integrations.get(id);
  }

  @Patch(':id')
  @RequirePermission('integrations.manage')
  update(@Param('id') id: string, @Body() body: UpdateIntegrationDto, @CurrentActing() by: Acting): Promise<IntegrationView> {
    return this.integrations.update(id, body, by);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('integrations.manage')
  async remove(@Param('id') id: string, @CurrentActing() by: Acting): Promise<void> {
    await this.integrations.remove(id, by);
  }

  /** Checks the credentials against the provider: 200 `{ok, message}` either way. */
  @Post(':id/test')
  @HttpCode(200)
  @RequirePermission('integrations.manage')
  test(@Param('id') id: string): Promise<{ ok: boolean; message: string }> {
    return this.integrations.test(id);
  }

  /** Issue 15 item 6: the connector's deliveries, newest first (`?outcome=failed` for those that may need a replay); never a body. */
  @Get(':id/deliveries')
  @RequirePermission('integrations.manage')
  async listDeliveries(@Param('id') id: string, @Query() query: DeliveriesQuery): Promise<Page<DeliveryView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.deliveries.list(id, { offset, limit: pageSize, outcome: query.outcome });
    return { items, page, pageSize, total };
  }

  /** Issue 15 item 6: a failed delivery through the same processing again → 200 with the delivery as it is now; 409 when it is not a failed one. */
  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(200)
  @RequirePermission('integrations.manage')
  replay(@Param('id') id: string, @Param('deliveryId') deliveryId: string, @CurrentActing() by: Acting): Promise<DeliveryView> {
    return this.deliveries.replay(id, deliveryId, by);
  }
}
