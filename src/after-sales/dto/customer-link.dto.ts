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
  @ApiPropertyOptional({ type: String, nullable: true, description: 'only the reason of a rejection, which the customer was sent; staff notes never' }) note!: string | null;
}

/** A case as its customer sees it: no owner, no internal notes, no staff names. */
export class PublicCase {
  @ApiProperty() number!: string;
  @ApiProperty({ enum: CASE_TYPES }) type!: CaseType;
  @ApiProperty({ enum: CASE_STATUSES }) status!: CaseStatus;
  @ApiProperty({ description: "the customer's own reason" }) reason!: string;
  @ApiProperty({ description: 'photos added to the case (by the customer or customer service)' }) photos!: number;
  @ApiProperty({ description: 'whether the customer can still add photos' }) acceptsPhotos!: boolean;
  @ApiProperty({ type: [PublicCaseLine] }) lines!: PublicCaseLine[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [PublicCaseHistoryEntry] }) history!: PublicCaseHistoryEntry[];
}

export class PublicTrackingEvent {
  @ApiProperty() at!: string;
  @ApiProperty({ example: 'in_transit' }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) location!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) description!: string | null;
}

/** A parcel of the order as its customer follows it (G5.5): the carrier's Chinese name, the number, the carrier's events. */
export class PublicParcel {
  @ApiProperty({ example: 'sf' }) carrier!: string;
  @ApiProperty({ example: '顺丰速运' }) carrierName!: string;
  @ApiProperty() trackingNumber!: string;
  @ApiProperty({ example: 'in_transit' }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) trackingUrl!: string | null;
  @ApiProperty({ type: [PublicCaseLine] }) lines!: PublicCaseLine[];
  @ApiProperty({ type: [PublicTrackingEvent], description: 'newest first' }) events!: PublicTrackingEvent[];
}

/** GET /api/public/orders/{token}: nothing more personal than the order number, its lines and its parcels. */
export class PublicOrderPage {
  @ApiProperty({ type: PublicOrder }) order!: PublicOrder;
  @ApiProperty({ type: [PublicParcel] }) parcels!: PublicParcel[];
  @ApiProperty({ type: [PublicCase] }) cases!: PublicCase[];
  @ApiProperty({ enum: CASE_TYPES, isArray: true, description: "the case types the order's status allows now" }) caseTypes!: CaseType[];
}
