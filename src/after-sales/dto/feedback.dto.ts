import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate } from '../../common/validation';

export const FEEDBACK_COMMENT_MAX = 1000;

/** API.md "After-sales" `POST /api/orders/{id}/feedback` (G1.6). */
export class GiveFeedbackDto {
  @ApiProperty({ minimum: 1, maximum: 5, example: 4, description: '1 (poor) to 5 (excellent): how the fulfilment went' })
  @IsInt({ message: 'must be a whole number from 1 to 5' })
  @Min(1, { message: 'must be a whole number from 1 to 5' })
  @Max(5, { message: 'must be a whole number from 1 to 5' })
  rating!: number;

  @ApiPropertyOptional({ maxLength: FEEDBACK_COMMENT_MAX, example: '包装完好，送货很快' })
  @IsOptional()
  @IsString()
  @MaxLength(FEEDBACK_COMMENT_MAX)
  comment?: string;
}

export const FEEDBACK_SUMMARY_DIMENSIONS = ['product', 'warehouse'] as const;
export type FeedbackSummaryDimension = (typeof FEEDBACK_SUMMARY_DIMENSIONS)[number];

/** `GET /api/feedback/summary?by=product|warehouse&from=&to=`; dates are days in the shop's time zone, both inclusive. */
export class FeedbackSummaryQuery {
  @ApiPropertyOptional({ enum: FEEDBACK_SUMMARY_DIMENSIONS, default: 'product' })
  @IsOptional()
  @IsIn(FEEDBACK_SUMMARY_DIMENSIONS, { message: `must be one of ${FEEDBACK_SUMMARY_DIMENSIONS.join(', ')}` })
  by?: FeedbackSummaryDimension;

  @ApiPropertyOptional({ example: '2026-11-01', description: 'first day (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'last day (YYYY-MM-DD, inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}
