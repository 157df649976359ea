import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsCalendarDate } from '../../common/validation';
import { PageQuery } from '../../common/pagination';
import { CONTACT_CHANNELS, type ContactChannel } from '../exception-queues.service';
import { EXCEPTION_REASONS } from '../exception-queue';

const REASONS = Object.values(EXCEPTION_REASONS).flat();

export class ExceptionQueueQuery extends PageQuery {
  @ApiPropertyOptional({ description: '`me`, `none` (unassigned) or a user id', example: 'me' })
  @IsOptional() @IsString() @MaxLength(36) owner?: string;
  @ApiPropertyOptional({ enum: REASONS, description: 'only items in the queue for this reason' })
  @IsOptional() @IsIn(REASONS, { message: `must be one of ${REASONS.join(', ')}` }) reason?: string;
}

export class AssignExceptionDto {
  @ApiProperty({ nullable: true, description: 'the user id of the new owner (负责人); null: nobody', example: '2f1c…' })
  @ValidateIf((_, value) => value !== null) @IsString() @MaxLength(36) owner!: string | null;
}

export class ContactNotedDto {
  @ApiProperty({ enum: CONTACT_CHANNELS, example: 'phone' })
  @IsIn(CONTACT_CHANNELS, { message: `must be one of ${CONTACT_CHANNELS.join(', ')}` }) channel!: ContactChannel;
  @ApiProperty({ example: '已电话联系客户，确认新地址', maxLength: 500 })
  @IsString() @MinLength(1) @MaxLength(500) @Matches(/\S/, { message: 'must not be blank' }) note!: string;
}

export class RestockDateDto {
  @ApiProperty({ nullable: true, example: '2026-12-20', description: 'the day the missing goods are expected (YYYY-MM-DD); null: not known' })
  @ValidateIf((_, value) => value !== null) @IsCalendarDate() date!: string | null;
}
