/**
 * The systems a connector talks to (G5.2, issue 15): shop platforms, payment providers, carriers and a WMS. Written once
 * here, so that the API's validation, the webhook route and the docs agree on which kinds take deliveries at /hooks/{id}
 * and which secrets each needs to work at all.
 */
export interface IntegrationKind {
  kind: string;
  /** The provider calls us (orders, payment notifications, tracking pushes) at /hooks/{id}. */
  inbound: boolean;
  /** Secrets a connector of this kind cannot work without (422 when missing). */
  requiredSecrets: readonly string[];
  /** Settings (not secret: public keys, account ids) it cannot work without (422 when missing or not a non-empty string). */
  requiredSettings?: readonly string[];
}

export const INTEGRATION_KINDS: readonly IntegrationKind[] = [
  // shop platforms: orders in, fulfilment and stock out
  { kind: 'shopify', inbound: true, requiredSecrets: ['webhookSecret'] },
  { kind: 'woocommerce', inbound: true, requiredSecrets: ['webhookSecret'] },
  { kind: 'taobao', inbound: false, requiredSecrets: ['appSecret', 'sessionKey'], requiredSettings: ['appKey'] },
  // payment notifications
  // Alipay: its public key (kept sealed though public) and our app id, which each notification must carry (验签 docs)
  { kind: 'alipay', inbound: true, requiredSecrets: ['alipayPublicKey'], requiredSettings: ['appId'] },
  // WeChat Pay: the APIv3 key decrypts; the platform certificate (or WeChat Pay public key) verifies; our merchant id is checked
  { kind: 'wechatpay', inbound: true, requiredSecrets: ['apiV3Key'], requiredSettings: ['platformCertificate', 'mchid'] },
  // carrier tracking push
  { kind: 'kuaidi100', inbound: true, requiredSecrets: ['key'] },
  // the WMS confirms through our API; we only send it instructions
  { kind: 'wms', inbound: false, requiredSecrets: ['signingSecret'] },
];

export const KIND_CODES = INTEGRATION_KINDS.map((entry) => entry.kind);

export const kindOf = (kind: string): IntegrationKind | undefined => INTEGRATION_KINDS.find((entry) => entry.kind === kind);

/** A connector's name is the `channel` of the orders it brings in: the same rule as POST /api/orders' channel. */
export const CONNECTOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
export const CONNECTOR_NAME_MESSAGE = 'must be 1-40 letters, digits, _ or - (it is the channel of the orders the connector brings in)';

/** A secret's or setting's name: a plain identifier. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** What `status` says: a person's choice (active, paused), or failing when the last thing tried failed since the last success. */
export type ConnectorStatus = 'active' | 'paused' | 'failing';
