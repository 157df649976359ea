import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { IsIsoTime } from '../../common/validation';
import { TRACKING_EVENT_STATUSES, type TrackingEventStatus } from '../carriers/carrier-adapter';

const TRACKING_NUMBER = /^[A-Za-z0-9-]{6,40}$/;

export class CarrierEventDto {
  @ApiProperty({ example: '2026-11-26T09:30:00+08:00' })
  @IsIsoTime({ message: 'must be a real ISO 8601 time' })
  @Matches(/T.*(Z|[+-]\d{2}:?\d{2})$/, { message: 'must be an ISO 8601 time with a date, a time and an offset' })
  at!: string;

  @ApiProperty({ enum: TRACKING_EVENT_STATUSES })
  @IsIn(TRACKING_EVENT_STATUSES, { message: `must be one of ${TRACKING_EVENT_STATUSES.join(', ')}` })
  status!: TrackingEventStatus;

  @ApiPropertyOptional({ example: '杭州转运中心' }) @IsOptional() @IsString() @MaxLength(200) location?: string;
  @ApiPropertyOptional({ example: '快件已到达' }) @IsOptional() @IsString() @MaxLength(1000) description?: string;
}

/** API.md `POST /api/carriers/{carrier}/events`. */
export class CarrierEventsDto {
  @ApiProperty({ example: 'SF1234567890' }) @IsString() @Matches(TRACKING_NUMBER, { message: 'must be 6-40 letters, digits or -' }) trackingNumber!: string;

  @ApiProperty({ type: [CarrierEventDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => CarrierEventDto)
  events!: CarrierEventDto[];
}

export class SimulateCarrierDto {
  @ApiProperty({ example: 'SF1234567890' }) @IsString() @Matches(TRACKING_NUMBER, { message: 'must be 6-40 letters, digits or -' }) trackingNumber!: string;
  /** true: the whole journey up to delivered at once; otherwise the events due by now (2 h in transit ... 24 h delivered after shipping). */
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() toDelivered?: boolean;
}

export const ALERT_STATUSES = ['open', 'resolved', 'all'] as const;

export class LogisticsAlertQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ALERT_STATUSES, default: 'open' }) @IsOptional() @IsIn(ALERT_STATUSES, { message: `must be one of ${ALERT_STATUSES.join(', ')}` }) status?: (typeof ALERT_STATUSES)[number];
}
