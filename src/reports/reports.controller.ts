import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { ReportQuery } from './dto/report-query.dto';
import { REPORT_NAMES } from './report-definitions';
import { CONTENT_TYPES } from './report-files';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** G4: daily sales, order status distribution, product sales ranking, customer purchase behaviour; G5.3: staff performance; 404 for another name. */
  @Get(':report')
  @RequirePermission('reports.read')
  @ApiParam({ name: 'report', enum: REPORT_NAMES })
  @ApiProduces('application/json', CONTENT_TYPES.csv, CONTENT_TYPES.xlsx)
  @ApiOkResponse({
    description:
      'JSON `{report, from, to, rows}`; rows of daily-sales `{date, orders, items, revenue}`, status-distribution `{status, count}`, product-ranking ' +
      '`{sku, name, quantity, revenue}`, customer-behaviour `{customer, phone, orders, revenue, firstOrderAt, lastOrderAt}`, staff-performance ' +
      '`{operator, operatorName, ordersReviewed, ordersApproved, ordersRejected, ordersCancelled, exceptionsResolved, casesHandled, tasksCompleted, ' +
      'workItems, medianMinutes, p90Minutes}` (one row per user with work in the range). format=csv: a header row ' +
      'and the rows (UTF-8 with BOM); format=xlsx: a title row with the filter, a header row, typed cells.',
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['report', 'from', 'to', 'rows'],
          properties: {
            report: { type: 'string', enum: [...REPORT_NAMES] },
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
            rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      },
      [CONTENT_TYPES.csv]: { schema: { type: 'string' } },
      [CONTENT_TYPES.xlsx]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  async report(@Param('report') name: string, @Query() query: ReportQuery, @Res({ passthrough: true }) response: Response): Promise<StreamableFile> {
    const format = query.format ?? 'json';
    response.set('Cache-Control', 'no-store');
    if (format === 'json') {
      const body = Buffer.from(await this.reports.reportJson(name, query), 'utf8');
      return new StreamableFile(body, { type: 'application/json; charset=utf-8', length: body.length });
    }
    const file = await this.reports.file(name, query, format);
    return new StreamableFile(file.body, { type: file.contentType, disposition: `attachment; filename="${file.fileName}"`, length: file.body.length });
  }
}
