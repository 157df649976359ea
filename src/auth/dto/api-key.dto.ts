import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'tmall-sync' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiPropertyOptional({ type: [String], example: ['integration'], description: 'its scope: the key may do what these roles may' })
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(40, { each: true })
  roles: string[] = ['integration'];
  @ApiPropertyOptional({ example: '2027-06-30T00:00:00+08:00', description: 'none: the key works until revoked' })
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}
