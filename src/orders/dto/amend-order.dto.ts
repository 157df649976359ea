import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { AddressDto, CustomerDto, OrderLineDto } from './create-order.dto';

const given = (_: object, value: unknown) => value !== undefined;

/**
 * `PATCH /api/orders/{id}`: any of the parts, each validated as at intake (a part given is replaced whole; `lines`
 * replaces every line). In `customer`, an omitted email or locale keeps the one the order has; null clears it.
 * null for customer, shippingAddress or lines is a 422 (they cannot be removed); null notes clears the notes.
 */
export class AmendOrderDto {
  @ApiPropertyOptional({ type: CustomerDto }) @ValidateIf(given) @IsObject() @ValidateNested() @Type(() => CustomerDto) customer?: CustomerDto;
  @ApiPropertyOptional({ type: AddressDto }) @ValidateIf(given) @IsObject() @ValidateNested() @Type(() => AddressDto) shippingAddress?: AddressDto;
  @ApiPropertyOptional({ type: [OrderLineDto] })
  @ValidateIf(given) @IsArray() @ArrayMinSize(1, { message: 'must have at least one line' }) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => OrderLineDto)
  lines?: OrderLineDto[];
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(1000) notes?: string | null;
}

export class AllocationLineDto {
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  /** Units of this sku to ship now: 0 to the quantity ordered. */
  @ApiProperty({ example: 2 }) @IsInt({ message: 'must be a whole number of 0 or more' }) @Min(0, { message: 'must be a whole number of 0 or more' }) @Max(100_000) quantity!: number;
}

/**
 * `POST /api/orders/{id}/allocation` (G2.3): the warehouse to ship from and/or what to ship now. Skus of the order that
 * `lines` does not list ship in full. Without `warehouse` the current warehouse is kept (awaiting_shipment) or the
 * allocation strategy chooses (awaiting_stock).
 */
export class ManualAllocationDto {
  @ApiPropertyOptional({ example: 'SH-01' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(32) warehouse?: string;
  @ApiPropertyOptional({ type: [AllocationLineDto] })
  @ValidateIf(given) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => AllocationLineDto)
  lines?: AllocationLineDto[];
}
