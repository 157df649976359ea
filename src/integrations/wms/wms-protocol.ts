import { createHmac } from 'node:crypto';
import type { ErrorDetail } from '../../common/errors';
import type { SignedRequest } from '../providers/provider-types';

/**
 * What we say to a WMS and how (issue 15 item 5; README "Connecting a WMS" spells it out for the vendor). Pure: no
 * network, no database, no clock unless one is passed in.
 */

export const WMS_INSTRUCTION_TOPIC = 'wms-instruction';
export const WMS_CANCEL_TOPIC = 'wms-cancel';

/**
 * The push key of everything about one shipment. The cancel shares the instruction's key (queued as a coalesced push, so
 * the once-per-key rule of the instruction does not swallow it): the outbox sends the pushes of one key in order, so a cancel
 * never overtakes the instruction it cancels, even while the instruction is still being retried.
 */
export const wmsPushKey = (shipmentId: string) => `instruction:${shipmentId}`;

export const WMS_SIGNATURE_HEADER = 'X-OMS-Signature';
export const WMS_TIMESTAMP_HEADER = 'X-OMS-Timestamp';
export const WMS_EVENT_HEADER = 'X-OMS-Event';
export const WMS_IDEMPOTENCY_HEADER = 'X-OMS-Idempotency-Key';

/** One line of the instruction: what to pick, from where when we know the bin. */
export interface WmsInstructionLine {
  sku: string;
  name: string;
  quantity: number;
  bin: string | null;
}

/** `wms-instruction`: pick, pack and ship this shipment. */
export interface WmsInstruction {
  event: typeof WMS_INSTRUCTION_TOPIC;
  shipmentId: string;
  /** The order's number and the shipment's place among the order's shipments: SO…-1, SO…-2. */
  shipmentNumber: string;
  orderNumber: string;
  /** Our warehouse code (the one in the connector's settings.warehouses). */
  warehouse: string;
  lines: WmsInstructionLine[];
  recipient: { name: string; phone: string };
  address: { province: string; city: string; district: string | null; line1: string; postalCode: string | null; country: string };
  /** The carrier to hand the parcel to: the shipment's, else the first of the settings' carrierPriority (G3.1). */
  carrier: string | null;
  notes: string | null;
  allocatedAt: string;
}

/** `wms-cancel`: the shipment was cancelled before it shipped (order cancelled, allocated again, the rest cancelled). */
export interface WmsCancel {
  event: typeof WMS_CANCEL_TOPIC;
  shipmentId: string;
  shipmentNumber: string;
  orderNumber: string;
  warehouse: string;
  reason: string;
  cancelledAt: string;
}

/** What the connector's settings must be: `endpoint`, `warehouses` (our codes), `apiKeyId` (the key the WMS calls back with). */
export interface WmsSettings {
  endpoint: string;
  warehouses: string[];
  apiKeyId?: string;
}

const WAREHOUSE_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_WAREHOUSES = 100;
const isHttpUrl = (value: unknown): boolean => typeof value === 'string' && value.length <= 500 && /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value);

/** The form of a WMS connector's settings, one problem per field (422); whether the warehouses and the key exist is checked on save. */
export function wmsSettingsProblems(settings: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const { endpoint, warehouses, apiKeyId } = settings;
  // a connector that runs no warehouse yet (being set up) sends nothing and may wait for its endpoint
  if (endpoint !== undefined ? !isHttpUrl(endpoint) : wmsWarehousesOf(settings).length > 0) {
    problems.push({ path: 'settings.endpoint', message: 'must be the http:// or https:// URL the WMS takes instructions at, without ? or # (required once it runs warehouses)' });
  }
  if (warehouses !== undefined) {
    if (!Array.isArray(warehouses) || warehouses.length > MAX_WAREHOUSES) {
      problems.push({ path: 'settings.warehouses', message: `must be a list of at most ${MAX_WAREHOUSES} warehouse codes` });
    } else {
      warehouses.forEach((code, index) => {
        if (typeof code !== 'string' || !WAREHOUSE_CODE.test(code)) problems.push({ path: `settings.warehouses[${index}]`, message: 'must be a warehouse code (1-32 letters, digits, _ or -)' });
        else if (warehouses.indexOf(code) !== index) problems.push({ path: `settings.warehouses[${index}]`, message: `names ${code} twice` });
      });
    }
  }
  if (apiKeyId !== undefined && (typeof apiKeyId !== 'string' || !UUID.test(apiKeyId))) {
    problems.push({ path: 'settings.apiKeyId', message: 'must be the id of the API key (role wms) the WMS calls back with' });
  }
  return problems;
}

export const wmsWarehousesOf = (settings: Record<string, unknown>): string[] =>
  Array.isArray(settings.warehouses) ? settings.warehouses.filter((code): code is string => typeof code === 'string') : [];

/**
 * The signed POST: `X-OMS-Timestamp` is the Unix time in seconds, `X-OMS-Signature` is `v1=` and the lower-case hex
 * HMAC-SHA256, keyed with the connector's signingSecret, of `<timestamp>.<raw body>`. The timestamp is inside the signed
 * text, so a WMS that refuses timestamps more than a few minutes old refuses a replayed request.
 */
export function signWmsRequest(endpoint: string, signingSecret: string, topic: string, idempotencyKey: string, body: string, now = new Date()): SignedRequest {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    method: 'POST',
    url: endpoint,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      [WMS_TIMESTAMP_HEADER]: timestamp,
      [WMS_SIGNATURE_HEADER]: `v1=${wmsSignature(signingSecret, timestamp, body)}`,
      [WMS_EVENT_HEADER]: topic,
      [WMS_IDEMPOTENCY_HEADER]: idempotencyKey,
    },
    body,
  };
}

export const wmsSignature = (signingSecret: string, timestamp: string, body: string): string =>
  createHmac('sha256', signingSecret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
