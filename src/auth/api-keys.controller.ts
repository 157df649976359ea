import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { PageQuery, pageWindow } from '../common/pagination';
import { ApiKeysService } from './api-keys.service';
import { RequirePermission } from './auth.decorators';
import { CreateApiKeyDto } from './dto/api-key.dto';

/** Integrations' API keys (G3.3), with users.manage: listed without their secrets, revoked at once. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @RequirePermission('users.manage')
  async list(@Query() query: PageQuery) {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.apiKeys.list(offset, pageSize);
    return { items, page, pageSize, total };
  }

  /** An admin creates a key for an integration; the key is in this answer only. */
  @Post()
  @RequirePermission('users.manage')
  create(@Body() body: CreateApiKeyDto, @CurrentActing() by: Acting) {
    return this.apiKeys.create(body, by);
  }

  @Delete(':id')
  @RequirePermission('users.manage')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @CurrentActing() by: Acting): Promise<void> {
    await this.apiKeys.revoke(id, by);
  }
}
