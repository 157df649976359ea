import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../../audit/acting';
import { RequirePermission } from '../../auth/auth.decorators';
import { StockSyncService } from './stock-sync.service';

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
}
