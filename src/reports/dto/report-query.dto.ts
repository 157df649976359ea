import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../../common/validation';
import { REPORT_FORMATS, type ReportFormat } from '../report-definitions';

/** The most rows `limit` asks for (without it, a report has all its rows). */
export const MAX_REPORT_LIMIT = 100_000;

/** `GET /api/reports/{report}?from=&to=&format=`: days in the shop's time zone, both inclusive. */
export class ReportQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'first day (YYYY-MM-DD, inclusive, shop time zone); default 29 days before `to`' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'last day (YYYY-MM-DD, inclusive, shop time zone); default today' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_REPORT_LIMIT, description: 'at most this many rows, the first of the report\'s order (the top products or customers); default all' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(MAX_REPORT_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;
}
