import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../../audit/acting';
import { RequirePermission } from '../../auth/auth.decorators';
import { type Page, PageQuery, pageWindow } from '../../common/pagination';
import { StockSyncService, type UnlistedSku } from './stock-sync.service';

/** Stock sync's full resync (issue 15 item 2): beside the connector routes, with the same permission. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/integrations')
export class StockSyncController {
  constructor(private readonly stockSync: StockSyncService) {}

  /** 202 `{queued}`: every SKU is queued to the connector; the pushes go out in the background (GET …/pushes shows them). */
  @Post(':id/stock-sync')
  @HttpCode(202)
  @RequirePermission('integrations.manage')
  resync(@Param('id') id: string, @CurrentActing() by: Acting): Promise<{ queued: number }> {
    return this.stockSync.resync(id, by);
  }

  /** The SKUs the platform does not have (not pushed until a resync finds them listed), newest first. */
  @Get(':id/stock-sync/unlisted')
  @RequirePermission('integrations.manage')
  async unlisted(@Param('id') id: string, @Query() query: PageQuery): Promise<Page<UnlistedSku>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.stockSync.unlisted(id, offset, pageSize);
    return { items, page, pageSize, total };
  }
}
