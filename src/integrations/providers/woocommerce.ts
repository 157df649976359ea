import { createHmac } from 'node:crypto';
import {
  accepted, asRecord, type Checked, headerValue, type IncomingHeaders, isoFromUtcTime, moneyFromDecimal, type OrderIntake,
  paidLines, parseJsonObject, refused, sameText, type SignedRequest, sumOfAmounts, text,
} from './provider-types';

/**
 * WooCommerce (issue 15 item 2): webhooks in, order status and tracking back through its REST API.
 * Docs: woocommerce.github.io/woocommerce-rest-api-docs/#webhooks (X-WC-Webhook-Signature: base64 HMAC-SHA256 of the
 * payload with the webhook's secret; headers X-WC-Webhook-Topic/-Resource/-Event/-ID/-Delivery-ID) and #order-properties
 * (the order JSON). WooCommerce's WC_Webhook::generate_signature() computes base64_encode(hash_hmac('sha256', $payload,
 * $secret, true)) over the exact JSON it posts; on creation it posts an unsigned `webhook_id=N` ping.
 */

/** The topics that bring an order in (X-WC-Webhook-Topic); any other is acknowledged and ignored. */
export const WOOCOMMERCE_ORDER_TOPICS = ['order.created', 'order.updated'] as const;

export interface WooCommerceWebhook {
  topic: string;
  deliveryId: string | null;
  /** The order (or other resource) JSON. */
  resource: Record<string, unknown>;
}

/** WooCommerce's creation ping: form `webhook_id=N`, no signature; answer it 200 and record nothing. */
export function isWooCommercePing(rawBody: string): boolean {
  return /^webhook_id=\d+$/.test(rawBody.trim());
}

export function wooCommerceSignature(rawBody: string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('base64');
}

/** Checks X-WC-Webhook-Signature over the raw body (as received: re-serialised JSON does not verify) and reads it. */
export function verifyWooCommerceWebhook(request: { headers: IncomingHeaders; rawBody: string }, secret: string): Checked<WooCommerceWebhook> {
  const signature = headerValue(request.headers, 'X-WC-Webhook-Signature');
  if (!signature) return refused('signature_missing', 'X-WC-Webhook-Signature header is missing');
  if (!secret) return refused('signature_invalid', 'no webhook secret is configured, so the delivery cannot be authenticated');
  if (!sameText(signature, wooCommerceSignature(request.rawBody, secret))) {
    return refused('signature_invalid', 'X-WC-Webhook-Signature is not the HMAC-SHA256 of the body with the webhook secret');
  }
  const resource = parseJsonObject(request.rawBody);
  if (!resource) return refused('payload_malformed', 'the body is not a JSON object');
  return accepted({
    topic: headerValue(request.headers, 'X-WC-Webhook-Topic') ?? '',
    deliveryId: headerValue(request.headers, 'X-WC-Webhook-Delivery-ID') ?? null,
    resource,
  });
}

/** WooCommerce's China states (i18n/states.php, CN1-CN32) as our province names (common/china-regions.ts). */
const CN_STATES: Readonly<Record<string, string>> = {
  CN1: '云南', CN2: '北京', CN3: '天津', CN4: '河北', CN5: '山西', CN6: '内蒙古', CN7: '辽宁', CN8: '吉林', CN9: '黑龙江', CN10: '上海',
  CN11: '江苏', CN12: '浙江', CN13: '安徽', CN14: '福建', CN15: '江西', CN16: '山东', CN17: '河南', CN18: '湖北', CN19: '湖南', CN20: '广东',
  CN21: '广西', CN22: '海南', CN23: '重庆', CN24: '四川', CN25: '贵州', CN26: '陕西', CN27: '甘肃', CN28: '青海', CN29: '宁夏', CN30: '澳门',
  CN31: '西藏', CN32: '新疆',
};

/** Paid statuses: WooCommerce sets date_paid when payment completes (processing/completed); on-hold is awaiting payment. */
const PAID_STATUSES = new Set(['processing', 'completed']);

/**
 * A WooCommerce order (REST v3 JSON) as our intake body; the caller adds `channel` (the connector's name). externalId
 * is the order `id` (the `number` can be changed by plugins). Unit prices come from each line's `subtotal` (before
 * coupons, a decimal string) divided by quantity, a rounded cent noted in the notes. Coupons,
 * fees and taxes are not lines: the order's discount stays with the platform and the difference shows in the notes.
 */
export function mapWooCommerceOrder(order: Record<string, unknown>): Checked<OrderIntake> {
  const id = text(order.id);
  if (!id) return refused('payload_malformed', 'the order has no id');
  const items = Array.isArray(order.line_items) ? order.line_items.map(asRecord) : [];
  if (!items.length) return refused('payload_malformed', 'the order has no line_items');
  const lines: OrderIntake['lines'] = [];
  for (const [index, item] of items.entries()) {
    // a product without a SKU still becomes a line: review flags the unknown sku rather than losing the item
    const variation = text(item.variation_id);
    const sku = text(item.sku) || `WC-${variation && variation !== '0' ? variation : text(item.product_id)}`;
    // what the customer paid for the line: its total after coupons plus its tax (our orders carry no separate tax)
    const paid = paidLines(sku, Number(item.quantity), item.total === undefined ? item.subtotal : sumOfAmounts(item.total, item.total_tax ?? '0'), item.price);
    if (!paid) return refused('payload_malformed', `line_items[${index}] has no whole quantity or price`);
    lines.push(...paid);
  }
  const billing = asRecord(order.billing);
  const shipping = asRecord(order.shipping);
  const hasShipping = text(shipping.address_1) !== '' || text(shipping.city) !== '';
  const address = hasShipping ? shipping : billing;
  const country = text(address.country) || undefined;
  const state = text(address.state);
  const status = text(order.status);
  const paidAt = isoFromUtcTime(order.date_paid_gmt);
  const paid = PAID_STATUSES.has(status) || paidAt !== null || order.set_paid === true;
  const total = moneyFromDecimal(order.total);
  const shippingFee = order.shipping_total === undefined ? null : sumOfAmounts(order.shipping_total, order.shipping_tax ?? '0');
  const name = personName(address) || personName(billing);
  const placedAt = isoFromUtcTime(order.date_created_gmt);
  const note = text(order.customer_note);
  const notes = [note, discountNote(order)].filter(Boolean).join('\n');
  return accepted({
    externalId: id,
    ...(placedAt ? { placedAt } : {}),
    customer: {
      name,
      phone: text(shipping.phone) || text(billing.phone),
      ...(text(billing.email) ? { email: text(billing.email) } : {}),
    },
    shippingAddress: {
      province: (country === 'CN' && CN_STATES[state]) || state,
      city: text(address.city),
      line1: [text(address.address_1), text(address.address_2)].filter(Boolean).join(' '),
      ...(text(address.postcode) ? { postalCode: text(address.postcode) } : {}),
      ...(country ? { country } : {}),
    },
    lines,
    payment: {
      method: text(order.payment_method) || 'woocommerce',
      status: paid ? 'paid' : 'pending',
      ...(total ? { amount: total } : {}),
      ...(paid && paidAt ? { paidAt } : {}),
    },
    ...(shippingFee ? { shippingFee } : {}),
    ...(notes ? { notes } : {}),
  });
}

/** 张 + 三 → 张三 (family name first, no space) for Chinese names; "John Smith" otherwise. */
function personName(party: Record<string, unknown>): string {
  const first = text(party.first_name);
  const last = text(party.last_name);
  const chinese = /^[\u3400-\u9fff·]*$/u;
  return chinese.test(first) && chinese.test(last) ? `${last}${first}` : [first, last].filter(Boolean).join(' ');
}

function discountNote(order: Record<string, unknown>): string {
  const discount = moneyFromDecimal(order.discount_total);
  return discount && discount !== '0.00' ? `WooCommerce discount ${discount}` : '';
}

export interface WooCommerceStore {
  /** https://shop.example.com */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
}

/**
 * PUT /wp-json/wc/v3/orders/{id}: the order's status (completed once shipped) and a customer note with the tracking
 * number. Over HTTPS WooCommerce takes the consumer key and secret as HTTP Basic auth (REST API docs "Authentication").
 */
export function buildWooCommerceFulfilment(
  store: WooCommerceStore,
  orderId: string,
  shipment: { carrierName: string; trackingNumber: string; trackingUrl?: string | null },
): { order: SignedRequest; note: SignedRequest } {
  const base = `${store.baseUrl.replace(/\/+$/, '')}/wp-json/wc/v3/orders/${encodeURIComponent(orderId)}`;
  const headers = {
    Authorization: `Basic ${Buffer.from(`${store.consumerKey}:${store.consumerSecret}`, 'utf8').toString('base64')}`,
    'Content-Type': 'application/json',
  };
  const note = `${shipment.carrierName} ${shipment.trackingNumber}${shipment.trackingUrl ? ` ${shipment.trackingUrl}` : ''}`;
  return {
    order: { method: 'PUT', url: base, headers, body: JSON.stringify({ status: 'completed' }) },
    note: { method: 'POST', url: `${base}/notes`, headers, body: JSON.stringify({ note, customer_note: true }) },
  };
}
