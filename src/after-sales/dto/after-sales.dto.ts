import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBooleanString, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { MONEY_MESSAGE, MONEY_REGEX } from '../../catalog/dto/create-product.dto';
import { PageQuery } from '../../common/pagination';
import { CASE_STATUSES, CASE_TYPES, type CaseType } from '../case-status';

export class CaseLineDto {
  @ApiProperty({ example: 'TEA-001' }) @IsString() @MinLength(1) @MaxLength(64) sku!: string;
  @ApiProperty({ example: 1 }) @IsInt({ message: 'must be a positive whole number' }) @Min(1, { message: 'must be a positive whole number' }) @Max(100_000) quantity!: number;
}

/** POST /api/orders/{id}/after-sales (API.md "After-sales"). */
export class OpenCaseDto {
  @ApiProperty({ enum: CASE_TYPES }) @IsIn(CASE_TYPES as unknown as string[], { message: `must be one of ${CASE_TYPES.join(', ')}` }) type!: CaseType;
  @ApiProperty({ type: [CaseLineDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'must name at least one line' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => CaseLineDto)
  lines!: CaseLineDto[];
  @ApiProperty({ example: '尺码不合适 / does not fit' }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
}

export class CaseReasonDto {
  @ApiProperty() @IsString() @MinLength(1, { message: 'a reason is required' }) @MaxLength(1000) reason!: string;
}

export class ApproveCaseDto {
  @ApiPropertyOptional({ description: 'who works the case from now (default: whoever approves)' }) @IsOptional() @IsString() @MaxLength(254) owner?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) note?: string;
}

export class ReceiveCaseDto {
  @ApiPropertyOptional({ description: 'warehouse code; default the warehouse the goods were shipped from' }) @IsOptional() @IsString() @MaxLength(32) warehouse?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) notes?: string;
}

export class InspectCaseDto {
  @ApiProperty({ enum: ['pass', 'fail'] }) @IsIn(['pass', 'fail'], { message: 'must be pass or fail' }) result!: 'pass' | 'fail';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

export class RefundCaseDto {
  @ApiProperty({ example: '19.90' }) @IsString({ message: MONEY_MESSAGE }) @Matches(MONEY_REGEX, { message: MONEY_MESSAGE }) amount!: string;
  @ApiPropertyOptional({ description: "the payment provider's refund reference" }) @IsOptional() @IsString() @MaxLength(100) reference?: string;
}

export class CloseCaseDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) note?: string;
}

export class CaseQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'requested,approved', description: 'one or more statuses, comma-separated' })
  @IsOptional() @IsString() @Matches(new RegExp(`^(${CASE_STATUSES.join('|')})(,(${CASE_STATUSES.join('|')}))*$`), { message: `must be one or more of ${CASE_STATUSES.join(', ')}` }) status?: string;
  @ApiPropertyOptional({ enum: CASE_TYPES }) @IsOptional() @IsIn(CASE_TYPES as unknown as string[], { message: `must be one of ${CASE_TYPES.join(', ')}` }) type?: string;
  @ApiPropertyOptional({ description: 'order id or number' }) @IsOptional() @IsString() @MaxLength(64) orderId?: string;
  @ApiPropertyOptional({ example: 'cs@example.com' }) @IsOptional() @IsString() @MaxLength(254) owner?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsBooleanString({ message: 'must be true or false' }) overdue?: string;
}
