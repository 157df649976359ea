import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CASE_STATUSES, CASE_TYPES, type CaseStatus, type CaseType } from '../case-status';

/** POST /api/orders/{id}/customer-link: what customer service sends to the customer. */
export class CustomerLinkResponse {
  @ApiProperty({ example: 'https://shop.example.com/returns/eyJvIjoi....Qm9n' }) url!: string;
  @ApiProperty({ description: 'the signed token inside the url' }) token!: string;
  @ApiProperty({ example: '2025-01-31T08:00:00.000Z' }) expiresAt!: string;
}

export class PublicOrderLine {
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty() shipped!: number;
  @ApiProperty({ description: 'shipped minus the units already in cases that were not rejected' }) returnable!: number;
}

export class PublicOrder {
  @ApiProperty() number!: string;
  @ApiProperty() status!: string;
  @ApiProperty() placedAt!: string;
  @ApiProperty({ type: [PublicOrderLine] }) lines!: PublicOrderLine[];
}

export class PublicCaseLine {
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty() quantity!: number;
}

export class PublicCaseHistoryEntry {
  @ApiProperty() at!: string;
  @ApiProperty({ enum: CASE_STATUSES }) to!: CaseStatus;
  @ApiPropertyOptional({ type: String, nullable: true }) note!: string | null;
}

/** A case as its customer sees it: no owner, no internal notes, no staff names. */
export class PublicCase {
  @ApiProperty() number!: string;
  @ApiProperty({ enum: CASE_TYPES }) type!: CaseType;
  @ApiProperty({ enum: CASE_STATUSES }) status!: CaseStatus;
  @ApiProperty({ type: [PublicCaseLine] }) lines!: PublicCaseLine[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [PublicCaseHistoryEntry] }) history!: PublicCaseHistoryEntry[];
}

/** GET /api/public/orders/{token}: nothing more personal than the order number and its lines. */
export class PublicOrderPage {
  @ApiProperty({ type: PublicOrder }) order!: PublicOrder;
  @ApiProperty({ type: [PublicCase] }) cases!: PublicCase[];
  @ApiProperty({ enum: CASE_TYPES, isArray: true, description: "the case types the order's status allows now" }) caseTypes!: CaseType[];
}
