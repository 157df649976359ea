import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { BackupsService } from '../backups/backups.service';
import { UnauthorizedError } from '../common/errors';
import { AdminIdentity } from './admin-auth';

/**
 * A backup's file downloaded from the Backups page: GET /api/backups/{id}/download needs a bearer token, which a link in the
 * admin does not send; this serves the same file to the admin session, with backups.manage read again from the database.
 */
@ApiExcludeController()
@Public()
@Controller('admin/backups')
export class BackupDownloadController {
  private readonly identity: AdminIdentity;

  constructor(
    auth: AuthService,
    @InjectDataSource() db: DataSource,
    private readonly backups: BackupsService,
  ) {
    this.identity = new AdminIdentity(auth, db);
  }

  @Get(':id/download')
  async download(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const admin = await this.identity.requireSession(request, 'backups.manage');
    const actor = await this.identity.actorFor(admin);
    if (!actor) throw new UnauthorizedError('Your account is no longer active');
    const file = await this.backups.file(id, { actor, ip: request.ip ?? null });
    response.status(200).set({
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(file.sizeBytes),
      'Content-Disposition': `attachment; filename="${file.name}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
    file.stream.once('error', () => response.destroy());
    file.stream.pipe(response);
  }
}
