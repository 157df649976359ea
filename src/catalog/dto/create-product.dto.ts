import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const MONEY_REGEX = /^\d{1,10}(\.\d{1,2})?$/;
export const MONEY_MESSAGE = 'must be a decimal string like "129.00"';
/** The admin's product form allows the same (integer columns; a purchase limit above any order's quantity means none). */
export const MAX_PURCHASE_LIMIT = 1_000_000;
export const MAX_WEIGHT_GRAMS = 100_000_000;

export class CreateProductDto {
  @ApiProperty({ example: 'TEA-001' }) @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, { message: 'must be 1-64 letters, digits or . _ - /' }) sku!: string;
  @ApiProperty({ example: '西湖龙井 250g' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ example: '250g 罐装' }) @IsOptional() @IsString() @MaxLength(200) spec?: string;
  @ApiProperty({ example: '129.00' }) @IsString() @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) price!: string;
  @ApiPropertyOptional({ example: 5 }) @IsOptional() @IsInt() @Min(1) @Max(MAX_PURCHASE_LIMIT) purchaseLimit?: number;
  @ApiPropertyOptional({ example: 300 }) @IsOptional() @IsInt() @Min(0) @Max(MAX_WEIGHT_GRAMS) weightGrams?: number;
}
