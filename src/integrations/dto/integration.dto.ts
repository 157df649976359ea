import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { CONNECTOR_NAME, CONNECTOR_NAME_MESSAGE, KIND_CODES } from '../integration-kinds';
import type { DeliveryOutcome } from '../webhooks.service';

const OUTCOMES: DeliveryOutcome[] = ['created', 'updated', 'duplicate', 'ignored', 'rejected', 'failed'];

// Structure only (422); the secrets each kind needs, and the settings' values, are checked by IntegrationsService.
export class CreateIntegrationDto {
  @ApiProperty({ enum: KIND_CODES, example: 'shopify' })
  @IsString() @IsIn(KIND_CODES, { message: `must be one of ${KIND_CODES.join(', ')}` }) kind!: string;

  @ApiProperty({ example: 'shopify-main', description: 'unique; the channel of the orders this connector brings in' })
  @IsString() @Matches(CONNECTOR_NAME, { message: CONNECTOR_NAME_MESSAGE }) name!: string;

  @ApiPropertyOptional({ example: { shopDomain: 'my-shop.myshopify.com' }, description: 'readable configuration (shop domain, API base URL, ...)' })
  @IsOptional() @IsObject() settings?: Record<string, unknown>;

  @ApiProperty({ example: { webhookSecret: '...', accessToken: 'shpat_...' }, description: 'write-only: encrypted at rest, never returned' })
  @IsDefined() @IsObject() secrets!: Record<string, unknown>;
}

/** Every field optional; `settings` and `secrets` are merged key by key (a key set to null is removed). */
export class UpdateIntegrationDto {
  @ApiPropertyOptional({ example: 'shopify-main' })
  @IsOptional() @IsString() @Matches(CONNECTOR_NAME, { message: CONNECTOR_NAME_MESSAGE }) name?: string;

  @ApiPropertyOptional({ example: { apiVersion: '2025-07' } }) @IsOptional() @IsObject() settings?: Record<string, unknown>;

  @ApiPropertyOptional({ example: { accessToken: 'shpat_...' } }) @IsOptional() @IsObject() secrets?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ['active', 'paused'] })
  @IsOptional() @IsIn(['active', 'paused'], { message: 'must be active or paused' }) status?: 'active' | 'paused';
}

/** `GET /api/integrations/{id}/deliveries?page&pageSize&outcome`. */
export class DeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional() @IsIn(OUTCOMES, { message: `must be one of ${OUTCOMES.join(', ')}` }) outcome?: DeliveryOutcome;
}
