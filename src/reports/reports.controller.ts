import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { ReportQuery } from './dto/report-query.dto';
import { type Report, REPORT_NAMES } from './report-definitions';
import { CONTENT_TYPES } from './report-files';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** G4: daily sales, order status distribution, product sales ranking, customer purchase behaviour; 404 for another name. */
  @Get(':report')
  @RequirePermission('reports.read')
  @ApiParam({ name: 'report', enum: REPORT_NAMES })
  @ApiProduces('application/json', CONTENT_TYPES.csv, CONTENT_TYPES.xlsx)
  @ApiOkResponse({
    description:
      'JSON `{report, from, to, rows}`; rows of daily-sales `{date, orders, items, revenue}`, status-distribution `{status, count}`, product-ranking ' +
      '`{sku, name, quantity, revenue}`, customer-behaviour `{customer, phone, orders, revenue, firstOrderAt, lastOrderAt}`. format=csv: a header row ' +
      'and the rows (UTF-8 with BOM); format=xlsx: a title row with the filter, a header row, typed cells.',
  })
  async report(@Param('report') name: string, @Query() query: ReportQuery, @Res({ passthrough: true }) response: Response): Promise<Report | StreamableFile> {
    const format = query.format ?? 'json';
    if (format === 'json') return this.reports.report(name, query);
    const file = await this.reports.file(name, query, format);
    response.set('Cache-Control', 'no-store');
    return new StreamableFile(file.body, { type: file.contentType, disposition: `attachment; filename="${file.fileName}"`, length: file.body.length });
  }
}
