import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: "an actor's email, `api-key:<name>` or id" }) @IsOptional() @IsString() @MaxLength(254) actor?: string;
  @ApiPropertyOptional({ description: 'an action (`user.update`) or an area (`user`)', example: 'auth.login_failed' })
  @IsOptional()
  @Matches(/^[a-z_]{1,30}(\.[a-z_]{1,40})?$/, { message: 'must be an action like auth.login or an area like auth' })
  action?: string;
  @ApiPropertyOptional({ description: 'ISO 8601 date-time, or a date (the whole day in the shop time zone)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  from?: string;
  @ApiPropertyOptional({ description: 'ISO 8601 date-time, or a date (inclusive: the whole day)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  to?: string;
}
