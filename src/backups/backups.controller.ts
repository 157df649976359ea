import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import { PageQuery } from '../common/pagination';
import { BackupsService } from './backups.service';

/** API.md "Backups (G3.4)". */
@ApiTags('backups')
@ApiBearerAuth()
@Controller('api/backups')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  /** 202: the backup runs on; poll GET /api/backups/{id} for completed or failed. */
  @Post()
  @HttpCode(202)
  @RequirePermission('backups.manage')
  async take(@CurrentActing() by: Acting) {
    const backup = (await this.backups.take('manual', by))!;
    return { id: backup.id, status: backup.status };
  }

  @Get()
  @RequirePermission('backups.manage')
  list(@Query() query: PageQuery) {
    return this.backups.list(query);
  }

  @Get(':id')
  @RequirePermission('backups.manage')
  get(@Param('id') id: string) {
    return this.backups.get(id);
  }

  /** The file, streamed as it is stored (encrypted when BACKUP_KEY was set). */
  @Get(':id/download')
  @RequirePermission('backups.manage')
  async download(@Param('id') id: string, @CurrentActing() by: Acting, @Res() response: Response): Promise<void> {
    const file = await this.backups.file(id, by);
    response.status(200);
    response.setHeader('content-type', 'application/octet-stream');
    response.setHeader('content-length', String(file.sizeBytes));
    response.setHeader('content-disposition', `attachment; filename="${file.name}"`);
    response.setHeader('cache-control', 'no-store');
    file.stream.once('error', () => response.destroy());
    file.stream.pipe(response);
  }

  /** 202: the backup is restored into a scratch database and compared with its manifest; status becomes verified or failed. */
  @Post(':id/verify')
  @HttpCode(202)
  @RequirePermission('backups.manage')
  async verify(@Param('id') id: string, @CurrentActing() by: Acting) {
    const backup = await this.backups.verify(id, by);
    return { id: backup.id, status: backup.status, verification: backup.verification };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('backups.manage')
  async remove(@Param('id') id: string, @CurrentActing() by: Acting): Promise<void> {
    await this.backups.delete(id, by);
  }
}
