import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { pageWindow } from '../common/pagination';
import { SettingsService } from '../settings/settings.service';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit-log')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
  ) {}

  /** API.md "Users, roles and audit": newest first, filtered by actor, action and time. */
  @Get()
  @RequirePermission('users.manage')
  async list(@Query() query: AuditQuery) {
    const { page, pageSize, offset } = pageWindow(query);
    const { timeZone } = await this.settings.get();
    const { items, total } = await this.audit.list({ actor: query.actor, action: query.action, from: query.from, to: query.to, timeZone, offset, limit: pageSize });
    return { items, page, pageSize, total };
  }
}
