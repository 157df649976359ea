import type { ConnectorStatus } from './integration-kinds';

/**
 * What the connectors' API and the admin's 对接管理 page show (issue 15): plain types, so that the admin's components share
 * them with the services instead of keeping copies.
 */

/** What became of a delivery at /hooks/{id}. */
export type DeliveryOutcome = 'created' | 'updated' | 'duplicate' | 'ignored' | 'rejected' | 'failed';

/** A connector as GET /api/integrations answers it: never a secret, only which are set. */
export interface IntegrationView {
  id: string;
  kind: string;
  name: string;
  status: ConnectorStatus;
  /** Where the provider sends its deliveries, for the kinds that have them. */
  webhookUrl?: string;
  lastSyncAt: string | null;
  lastError: string | null;
  counts: { ordersCreated: number; ordersUpdated: number; duplicates: number; rejected: number; ignored: number };
  settings: Record<string, unknown>;
  /** Which secrets are set (their names only: the values are never returned). */
  secretKeys: string[];
  createdAt: string;
  updatedAt: string;
}

/** One delivery as `GET /api/integrations/{id}/deliveries` and the admin list it (never its body). */
export interface DeliveryView {
  id: string;
  /** The provider's id of the delivery (X-Shopify-Webhook-Id, ...), or `sha256:` of its body when it sent none. */
  deliveryId: string;
  topic: string | null;
  receivedAt: string;
  outcome: DeliveryOutcome;
  externalId: string | null;
  orderId: string | null;
  orderNumber: string | null;
  error: string | null;
  /** Failed on our side, its body still kept, a kind whose deliveries replay: POST .../replay takes it again. */
  replayable: boolean;
  replays: number;
  replayedAt: string | null;
}
