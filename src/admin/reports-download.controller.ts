import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ReportQuery } from '../reports/dto/report-query.dto';
import { ReportsService } from '../reports/reports.service';
import { AdminIdentity } from './admin-auth';

/**
 * The Reports page's CSV and XLSX downloads. GET /api/reports/{report} needs a bearer token, which a link in the admin does
 * not send: this serves the same files to the admin session, with that route's permission (reports.read) read again from
 * the database. Under /admin, so the session cookie (Path=/admin) reaches it.
 */
@ApiExcludeController()
@Public()
@Controller('admin/reports/download')
export class ReportsDownloadController {
  constructor(
    private readonly identity: AdminIdentity,
    private readonly reports: ReportsService,
  ) {}

  @Get(':report')
  async download(@Param('report') name: string, @Query() query: ReportQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'reports.read');
    const file = await this.reports.file(name, query, query.format === 'csv' ? 'csv' : 'xlsx');
    response
      .status(200)
      .type(file.contentType)
      .set({ 'Content-Disposition': `attachment; filename="${file.fileName}"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' })
      .send(file.body);
  }
}
