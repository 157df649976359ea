import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import { type IntegrationView, IntegrationsService } from './integrations.service';
import { IntegrationPushesService, type PushStatus, type PushView } from './outbound/integration-pushes.service';

export class PushListQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'pending,dead', description: 'comma-separated: pending, sending, sent, dead' })
  @IsOptional()
  @Matches(/^(pending|sending|sent|dead)(,(pending|sending|sent|dead)){0,3}$/, { message: 'must be a comma-separated list of pending, sending, sent, dead' })
  status?: string;
}

/** Connectors (G5.2, issue 15), integrations.manage: the secrets go in and never come out. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/integrations')
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly pushes: IntegrationPushesService,
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

  /** What we told the provider (fulfilment, stock, WMS instructions), newest first, with its attempts and last error. */
  @Get(':id/pushes')
  @RequirePermission('integrations.manage')
  async listPushes(@Param('id') id: string, @Query() query: PushListQuery): Promise<Page<PushView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.pushes.list(id, query.status?.split(',') as PushStatus[] | undefined, offset, pageSize);
    return { items, page, pageSize, total };
  }

  /** Sends a dead push again from its first attempt, after its cause was fixed; 409 for a push that is not dead. */
  @Post(':id/pushes/:pushId/retry')
  @HttpCode(200)
  @RequirePermission('integrations.manage')
  retryPush(@Param('id') id: string, @Param('pushId') pushId: string, @CurrentActing() by: Acting): Promise<PushView> {
    return this.pushes.retry(id, pushId, by);
  }
}
