import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, NotEquals } from 'class-validator';
import { MONEY_MESSAGE, MONEY_REGEX } from '../../catalog/dto/create-product.dto';
import { PageQuery } from '../../common/pagination';

export class CreateWarehouseDto {
  @ApiProperty({ example: 'SH-01' }) @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { message: 'must be 1-32 letters, digits, _ or -' }) code!: string;
  @ApiProperty({ example: '上海青浦仓' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ example: '上海市' }) @IsString() @MinLength(1) @MaxLength(50) province!: string;
  @ApiProperty({ example: '上海市' }) @IsString() @MinLength(1) @MaxLength(50) city!: string;
  @ApiProperty({ example: 10, description: 'lower is preferred' }) @IsInt() @Min(0) @Max(1_000_000) priority!: number;
  @ApiPropertyOptional({ example: '8.00' }) @IsOptional() @IsString() @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) costPerShipment?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isVirtual?: boolean;
}

export class SetStockLevelDto {
  @ApiProperty({ example: 100 }) @IsInt() @Min(0) @Max(100_000_000) onHand!: number;
  @ApiPropertyOptional({ example: 'A-01-02-03' }) @IsOptional() @IsString() @MaxLength(40) bin?: string;
}

export class StockAdjustmentDto {
  @ApiProperty({ example: 'SH-01' }) @IsString() @MinLength(1) @MaxLength(32) warehouse!: string;
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  @ApiProperty({ example: 20, description: 'units added (positive) or removed (negative)' })
  @IsInt({ message: 'must be a whole number' }) @NotEquals(0) @Min(-100_000_000) @Max(100_000_000) delta!: number;
  @ApiProperty({ example: 'purchase order PO-1001 received' }) @IsString() @MinLength(1) @MaxLength(300) reason!: string;
}

export class InventoryQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'TEA-001' }) @IsOptional() @IsString() @MaxLength(64) sku?: string;
  @ApiPropertyOptional({ example: 'SH-01' }) @IsOptional() @IsString() @MaxLength(32) warehouse?: string;
  @ApiPropertyOptional({ example: '龙井' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
}

/** Goods received (the admin's 入库): a positive quantity and the delivery's reference (purchase order, delivery note). */
export class ReceiveStockDto {
  @ApiProperty({ example: 'SH-01' }) @IsString() @MinLength(1) @MaxLength(32) warehouse!: string;
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  @ApiProperty({ example: 20 }) @IsInt({ message: 'must be a positive whole number' }) @Min(1, { message: 'must be a positive whole number' }) @Max(100_000_000) quantity!: number;
  @ApiPropertyOptional({ example: 'PO-1001' }) @IsOptional() @IsString() @MaxLength(100) reference?: string;
}
