import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AfterSalesService } from '../after-sales/after-sales.service';
import { Public } from '../auth/auth.decorators';
import { AdminIdentity } from './admin-auth';

/**
 * A case's evidence (G1.6) opened from its admin page. GET /api/after-sales/{id}/attachments/{attachmentId} needs a bearer
 * token, which a link in the admin does not send: this serves the same file to the admin session, with the permission
 * of that route (aftersales.read) read again from the database. Under /admin, so the session cookie (Path=/admin) reaches it.
 */
@ApiExcludeController()
@Public()
@Controller('admin/after-sales/cases')
export class AfterSalesAttachmentsController {
  constructor(
    private readonly identity: AdminIdentity,
    private readonly cases: AfterSalesService,
  ) {}

  @Get(':caseId/attachments/:attachmentId')
  async attachment(@Param('caseId') caseId: string, @Param('attachmentId') attachmentId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'aftersales.read');
    const file = await this.cases.getAttachment(caseId, attachmentId);
    response
      .status(200)
      .type(file.contentType)
      .set({
        'Content-Disposition': `inline; filename="${encodeURIComponent(file.fileName)}"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'",
        'Cache-Control': 'private, no-store',
      })
      .send(file.content);
  }
}
