import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate } from '../../common/validation';
import { REPORT_FORMATS, type ReportFormat } from '../report-definitions';

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

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;
}
