import { timingSafeEqual } from 'node:crypto';
import { fromCents, isMoney, toCents } from '../../common/money';
import { isRealIsoTime } from '../../common/validation';

/**
 * What every provider module shares (issue 15): the typed result of checking a delivery, the answer each provider
 * expects back, and the shapes our side takes (API.md "Orders": the intake body and `POST /api/orders/{id}/payments`).
 * The modules are pure: no network, no database, no clock unless one is passed in.
 */

/** Why a delivery was refused; the webhook route answers 401 for the signature/replay ones and 400 for malformed. */
export type RejectionCode =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_stale'
  | 'payload_malformed'
  | 'decryption_failed'
  | 'account_mismatch';

export type Checked<T> = { ok: true; value: T } | { ok: false; code: RejectionCode; reason: string };

export function accepted<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function refused<T = never>(code: RejectionCode, reason: string): Checked<T> {
  return { ok: false, code, reason };
}

/** The HTTP answer a provider expects, so that it stops (or keeps) retrying. */
export interface ProviderAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A payment a provider confirmed: the body of `POST /api/orders/{id}/payments`, plus how to find the order. */
export interface PaymentConfirmation {
  /** Our order's number or external id, as we sent it to the provider (out_trade_no). */
  orderRef: string;
  /** Decimal string, two places ("129.00"). */
  amount: string;
  /** The provider's transaction id. */
  reference: string;
  /** ISO 8601 with offset; null when the provider did not say. */
  paidAt: string | null;
}

/**
 * A verified payment notification. `paid` false (trade closed, refund notice, ...) is still a valid delivery: it is
 * answered as accepted, and nothing is recorded. `deliveryId` is the provider's id of this notification (dedup).
 */
export interface PaymentNotice {
  deliveryId: string;
  paid: boolean;
  providerStatus: string;
  payment: PaymentConfirmation;
}

/** The intake body of `POST /api/orders` (API.md); the caller sets `channel` (the connector's name). */
export interface OrderIntake {
  externalId: string;
  placedAt?: string;
  customer: { name: string; phone: string; email?: string };
  shippingAddress: { province: string; city: string; district?: string; line1: string; postalCode?: string; country?: string };
  lines: { sku: string; quantity: number; unitPrice: string }[];
  payment: { method: string; status: 'paid' | 'pending'; amount?: string; paidAt?: string };
  shippingFee?: string;
  notes?: string;
}

/** An outbound HTTP request, signed, ready for the outbox to send. */
export interface SignedRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Request headers as Node and Express give them (lower-cased names, possibly repeated). */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** One header, whatever case the caller's framework kept it in. */
export function headerValue(headers: IncomingHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Constant-time comparison of two texts (signatures, digests), false when lengths differ. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Integer fen (WeChat Pay amounts, cents) to our money string: 12900 → "129.00". */
export function moneyFromFen(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  return fromCents(BigInt(fen));
}

/**
 * A provider's decimal amount ("0.01", "129", "21.9", or a JSON number like 21.99) as our two-place string; null when it
 * is not one (three decimals, a float that is not a whole number of cents, text).
 */
export function moneyFromDecimal(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isFinite(value) ? centsText(value) : value;
  if (typeof text !== 'string' || text.startsWith('-') || !isMoney(text)) return null;
  return fromCents(toCents(text));
}

/** A JSON number to a decimal text without float noise (21.990000000000002 → "21.99"), or null if not whole cents. */
function centsText(value: number): string | null {
  const cents = Math.round(value * 100);
  if (Math.abs(cents - value * 100) > 1e-6) return null;
  return fromCents(BigInt(cents));
}

/**
 * Our lines for `quantity` units of `sku` for which the customer paid `paid` in all (the platform's line total after its
 * discounts): one line when it divides by the quantity, else two lines of the SKU whose unit prices differ by one cent
 * (3 for 10.00 → 2 × 3.33 + 1 × 3.34), so that the order's total is exactly what was paid and its payment matches
 * instead of holding the order for a person. Without a total, the platform's own unit price. Null when the quantity is
 * not a whole number or neither is an amount.
 */
export function paidLines(sku: string, quantity: number, paid: unknown, unitPrice: unknown): OrderIntake['lines'] | null {
  if (!Number.isInteger(quantity) || quantity < 1) return null;
  const total = moneyFromDecimal(paid);
  if (!total) {
    const own = moneyFromDecimal(unitPrice);
    return own === null ? null : [{ sku, quantity, unitPrice: own }];
  }
  const cents = toCents(total);
  const count = BigInt(quantity);
  const low = cents / count;
  const higher = Number(cents % count); // this many units cost one cent more
  return [
    { sku, quantity: quantity - higher, unitPrice: fromCents(low) },
    { sku, quantity: higher, unitPrice: fromCents(low + 1n) },
  ].filter((line) => line.quantity > 0);
}

/** The sum of amounts (strings or numbers as platforms write them) as our two-place string; null when one is not an amount. */
export function sumOfAmounts(...values: unknown[]): string | null {
  let cents = 0n;
  for (const value of values) {
    const amount = moneyFromDecimal(value);
    if (amount === null) return null;
    cents += toCents(amount);
  }
  return fromCents(cents);
}

/** Beijing time as Chinese platforms write it ("2015-11-27 15:45:59", no zone) → "2015-11-27T15:45:59+08:00". */
export function isoFromBeijingTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  if (!match) return null;
  const iso = `${match[1]}T${match[2]}+08:00`;
  return isRealIsoTime(iso) ? iso : null;
}

/** A UTC time written without a zone (WooCommerce's `*_gmt` fields) → "2017-03-22T16:28:08+00:00". */
export function isoFromUtcTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  if (!match) return null;
  const iso = `${match[1]}T${match[2]}+00:00`;
  return isRealIsoTime(iso) ? iso : null;
}

/** An ISO 8601 time that already carries its offset (WeChat Pay's success_time), kept as the provider wrote it. */
export function isoWithOffset(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && isRealIsoTime(value) ? value : null;
}

/** Parses JSON that must be an object; null for anything else. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A field as trimmed text: numbers (platform ids) become their decimal text, anything else "". */
export function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return '';
}
