import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsEmail, IsIn, IsInt, IsNotEmptyObject, IsObject, IsOptional, IsString,
  Matches, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { MONEY_MESSAGE, MONEY_REGEX } from '../../catalog/dto/create-product.dto';
import { IsIsoTime } from '../../common/validation';

// Structural rules only (422). Business problems (unknown sku, bad phone, empty address fields) are flags, not rejections (G1.2).
export class CustomerDto {
  @ApiProperty({ example: '张三' }) @IsString() @MaxLength(100) name!: string;
  @ApiProperty({ example: '13800138000' }) @IsString() @MaxLength(40) phone!: string;
  @ApiPropertyOptional({ example: 'zhang@example.com' }) @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: 'zh-CN', enum: ['zh-CN', 'en'] }) @IsOptional() @IsIn(['zh-CN', 'en']) locale?: string;
}

// API.md: "missing or empty address fields" are a business problem (flag address_incomplete), not a 422; wrong types still are.
export class AddressDto {
  @ApiProperty({ example: '浙江省' }) @IsOptional() @IsString() @MaxLength(50) province!: string;
  @ApiProperty({ example: '杭州市' }) @IsOptional() @IsString() @MaxLength(50) city!: string;
  @ApiPropertyOptional({ example: '西湖区' }) @IsOptional() @IsString() @MaxLength(50) district?: string;
  @ApiProperty({ example: '文三路 100 号 3 单元 501' }) @IsOptional() @IsString() @MaxLength(200) line1!: string;
  @ApiPropertyOptional({ example: '310000' }) @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional({ example: 'CN' }) @IsOptional() @IsString() @MaxLength(60) country?: string;
}

export class OrderLineDto {
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  @ApiProperty({ example: 2 }) @IsInt({ message: 'must be a positive whole number' }) @Min(1, { message: 'must be a positive whole number' }) @Max(100_000) quantity!: number;
  @ApiProperty({ example: '129.00' }) @IsString({ message: MONEY_MESSAGE }) @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) unitPrice!: string;
}

export class PaymentDto {
  @ApiProperty({ example: 'alipay' }) @IsString() @MinLength(1) @MaxLength(40) method!: string;
  @ApiProperty({ enum: ['paid', 'pending'] }) @IsIn(['paid', 'pending']) status!: 'paid' | 'pending';
  @ApiPropertyOptional({ example: '258.00' }) @IsOptional() @IsString({ message: MONEY_MESSAGE }) @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) amount?: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoTime() paidAt?: string;
}

export class CreateOrderDto {
  @ApiProperty({ example: 'tmall' }) @IsString() @Matches(/^[a-z0-9][a-z0-9_-]{0,39}$/i, { message: 'must be 1-40 letters, digits, _ or -' }) channel!: string;
  @ApiProperty({ example: 'TM-20261125-0001' }) @IsString() @MinLength(1) @MaxLength(100) externalId!: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoTime() placedAt?: string;
  @ApiProperty({ type: CustomerDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => CustomerDto) customer!: CustomerDto;
  @ApiProperty({ type: AddressDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => AddressDto) shippingAddress!: AddressDto;
  @ApiProperty({ type: [OrderLineDto] })
  @IsArray() @ArrayMinSize(1, { message: 'must have at least one line' }) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => OrderLineDto)
  lines!: OrderLineDto[];
  @ApiProperty({ type: PaymentDto }) @IsDefined() @IsObject() @IsNotEmptyObject() @ValidateNested() @Type(() => PaymentDto) payment!: PaymentDto;
  @ApiPropertyOptional({ example: '0.00' }) @IsOptional() @IsString({ message: MONEY_MESSAGE }) @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) shippingFee?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) notes?: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'customer asked to cancel by phone' }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class PaymentConfirmationDto {
  @ApiProperty({ example: '258.00' }) @IsString({ message: MONEY_MESSAGE }) @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) amount!: string;
  @ApiProperty({ example: 'ALIPAY-2026112500001' }) @IsString() @MinLength(1) @MaxLength(100) reference!: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoTime() paidAt?: string;
}

export class ShipmentLineDto {
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  @ApiProperty({ example: 2 }) @IsInt({ message: 'must be a positive whole number' }) @Min(1, { message: 'must be a positive whole number' }) @Max(100_000) quantity!: number;
}

/** `POST /api/shipments/{id}/ship`: the carrier took the package (G1.5). */
export class ShipShipmentDto {
  @ApiProperty({ example: 'sf', enum: ['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems'] }) @IsIn(['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems'], { message: 'must be one of sf, zto, yto, sto, yunda, jd, ems' }) carrier!: string;
  @ApiProperty({ example: 'SF1234567890' }) @IsString() @Matches(/^[A-Za-z0-9-]{6,40}$/, { message: 'must be 6-40 letters, digits or -' }) trackingNumber!: string;
}

export class ShipOrderDto extends ShipShipmentDto {
  /** API.md `{carrier, trackingNumber, warehouse?, lines?}`: the warehouse shipping, and what leaves it. */
  @ApiPropertyOptional({ example: 'SH-01' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(32) warehouse?: string;
  @ApiPropertyOptional({ type: [ShipmentLineDto] })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => ShipmentLineDto)
  lines?: ShipmentLineDto[];
}

/** `POST /api/orders/merge`: orders of one customer and address to ship as one parcel (issue 5 item 5). */
export class MergeOrdersDto {
  @ApiProperty({ example: ['SO251125000001', 'SO251125000002'], description: 'order ids or numbers, at least two' })
  @IsArray() @ArrayMinSize(2) @ArrayMaxSize(50) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(64, { each: true })
  orders!: string[];
}
