import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export const MAX_SHIPMENTS_PER_WAVE = 200;

export class CreatePickListDto {
  @ApiProperty({ example: 'SH-01' }) @IsString() @MinLength(1) @MaxLength(32) warehouse!: string;
  @ApiPropertyOptional({ example: 20, description: 'shipments in the wave, oldest first (default 20)' })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_SHIPMENTS_PER_WAVE) maxShipments?: number;
}
