import { createHmac, timingSafeEqual } from 'node:crypto';
import { isEmail } from 'class-validator';
import { fromCents, isMoney, toCents } from '../../common/money';
import { isRealIsoTime } from '../../common/validation';
import { parseJsonKeepingLongIntegers } from '../raw-json';
import { paidLines, type SignedRequest, sumOfAmounts } from './provider-types';

/**
 * Shopify (issue 15 item 2): the webhook signature, the order JSON → our intake mapping, and the credentials check.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook and the Order resource.
 */

/** The topics that bring an order in; any other topic a shop is subscribed to is acknowledged and ignored. */
export const SHOPIFY_ORDER_TOPICS = ['orders/create', 'orders/updated'] as const;

/** `X-Shopify-Hmac-Sha256`: base64 of HMAC-SHA256 over the raw body with the webhook secret, compared in constant time. */
export function verifyShopifySignature(rawBody: Buffer, header: string | undefined, webhookSecret: string): boolean {
  if (!header || !webhookSecret) return false;
  const given = Buffer.from(header.trim(), 'base64');
  const expected = createHmac('sha256', webhookSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');
const first = (...values: unknown[]): string => values.map(text).find((value) => value !== '') ?? '';

/** A Shopify amount ("199.0", "199.00", 199) as our two-place string; left as it is (and refused by the intake) when it is none. */
function money(value: unknown): string {
  const written = text(value);
  return isMoney(written) && !written.startsWith('-') ? fromCents(toCents(written)) : written;
}

/** The discount the lines' prices already have taken off, for the operator who compares with the shop's list prices. */
function discountNote(order: Json): string {
  const discount = money(order.total_discounts);
  return isMoney(discount) && toCents(discount) > 0n ? `discount ${discount}` : '';
}

/** The sum of non-negative amounts in cents; null when one is not an amount. */
function centsOf(amounts: string[]): bigint | null {
  let sum = 0n;
  for (const amount of amounts) {
    if (!isMoney(amount) || amount.startsWith('-')) return null;
    sum += toCents(amount);
  }
  return sum;
}

/** Shopify's order id as our externalId (parsed with parseJsonKeepingLongIntegers: 64-bit ids stay exact). */
export function shopifyOrderId(order: Json): string {
  return text(order.id);
}

/**
 * Our SKU for a Shopify line item: its SKU; a line without one is still taken as SHOPIFY-<variant id> (flagged unknown_sku
 * for a person to match). The fulfilment push finds the line back by the same rule.
 */
export function shopifySkuOf(line: Json): string {
  return (text(line.sku) || `SHOPIFY-${first(line.variant_id, line.product_id, line.id) || 'NO-SKU'}`).slice(0, 64);
}

/**
 * Shopify's order JSON → the body of POST /api/orders (API.md "Integrations"). Only the fields we know are read (the intake
 * refuses unknown fields, and Shopify adds fields over time); a text longer than our limit is cut, so a long note never costs
 * an order. Business problems (a SKU we do not sell, no phone, an address abroad) are left for the review to flag.
 */
export function mapShopifyOrder(order: Json, channel: string): Json {
  const address = object(order.shipping_address);
  const customer = object(order.customer);
  const billing = object(order.billing_address);
  const name = first(address.name, [text(address.first_name), text(address.last_name)].filter(Boolean).join(' '),
    [text(customer.first_name), text(customer.last_name)].filter(Boolean).join(' '), billing.name, order.email) || 'Shopify customer';
  const email = first(order.email, order.contact_email, customer.email);
  const locale = text(order.customer_locale);
  // what the customer paid for each line: its price less the discounts Shopify allocated to it (codes, automatic and
  // order-level discounts all are), plus its tax where prices exclude tax (our orders carry no separate tax)
  const taxesExtra = order.taxes_included === false;
  const amountsOf = (list: unknown) => (Array.isArray(list) ? list : []).map((entry) => money(object(entry).amount ?? object(entry).price));
  const lines = (Array.isArray(order.line_items) ? order.line_items : []).flatMap((item) => {
    const line = object(item);
    const sku = shopifySkuOf(line);
    const quantity = Number(line.quantity);
    const gross = isMoney(money(line.price)) && Number.isInteger(quantity) ? toCents(money(line.price)) * BigInt(quantity) : null;
    const discount = centsOf(amountsOf(line.discount_allocations));
    const tax = taxesExtra ? centsOf(amountsOf(line.tax_lines)) : 0n;
    const paid = gross !== null && discount !== null && tax !== null ? gross - discount + tax : null;
    // left to the intake to refuse (a quantity that is no whole number, a price that is no amount): the same as before
    return (paid !== null && paid >= 0n && paidLines(sku, quantity, fromCents(paid), null)) || [{ sku, quantity: line.quantity, unitPrice: money(line.price) }];
  });
  const shipping = (Array.isArray(order.shipping_lines) ? order.shipping_lines : []).map((entry) => {
    const line = object(entry);
    return sumOfAmounts(money(line.discounted_price ?? line.price), ...(taxesExtra ? amountsOf(line.tax_lines) : [])) ?? '';
  });
  const paid = text(order.financial_status) === 'paid';
  const placedAt = text(order.created_at);
  const paidAt = text(order.processed_at);
  const reference = first(order.name, order.order_number);
  return {
    channel,
    externalId: shopifyOrderId(order),
    ...(isRealIsoTime(placedAt) ? { placedAt } : {}),
    customer: {
      name: name.slice(0, 100),
      phone: first(address.phone, order.phone, customer.phone, billing.phone).slice(0, 40),
      ...(email && email.length <= 254 && isEmail(email) ? { email } : {}),
      ...(locale === 'zh-CN' || locale === 'en' ? { locale } : locale.startsWith('zh') ? { locale: 'zh-CN' } : {}),
    },
    shippingAddress: {
      province: first(address.province).slice(0, 50),
      city: first(address.city).slice(0, 50),
      line1: [text(address.address1), text(address.address2)].filter(Boolean).join(' ').slice(0, 200),
      ...(text(address.zip) ? { postalCode: text(address.zip).slice(0, 20) } : {}),
      ...(text(address.country_code) ? { country: text(address.country_code).slice(0, 60) } : {}),
    },
    lines,
    payment: {
      method: 'shopify',
      status: paid ? 'paid' : 'pending',
      ...(paid && text(order.total_price) ? { amount: money(order.total_price) } : {}),
      ...(paid && isRealIsoTime(paidAt) ? { paidAt } : {}),
    },
    ...(shipping.length && shipping.every(isMoney) ? { shippingFee: fromCents(shipping.reduce((sum, fee) => sum + toCents(fee), 0n)) } : {}),
    notes: [`Shopify ${reference || shopifyOrderId(order)}`, text(order.currency) && `currency ${text(order.currency)}`, discountNote(order), text(order.note)]
      .filter(Boolean)
      .join(' · ')
      .slice(0, 1000),
  };
}

/** Where the shop's Admin API is: `settings.apiBaseUrl` (a local fake in tests, a proxy), else https://{shopDomain}. */
export function shopifyAdminBase(settings: Json): string | null {
  const base = text(settings.apiBaseUrl) || (text(settings.shopDomain) ? `https://${text(settings.shopDomain)}` : '');
  return base ? base.replace(/\/+$/, '') : null;
}

export const SHOPIFY_DEFAULT_API_VERSION = '2025-07';

/**
 * The credentials check: GET /admin/api/{version}/shop.json with the access token. No redirect is followed (the token must
 * not travel to another host), and the token is never part of a message.
 */
export async function testShopifyCredentials(settings: Json, secrets: Record<string, string>): Promise<{ ok: boolean; message: string }> {
  const base = shopifyAdminBase(settings);
  if (!base) return { ok: false, message: 'settings.shopDomain is not set: the Admin API cannot be called (the webhook secret is checked by each delivery)' };
  if (!secrets.accessToken) return { ok: false, message: 'secrets.accessToken is not set: the Admin API cannot be called' };
  const version = text(settings.apiVersion) || SHOPIFY_DEFAULT_API_VERSION;
  const url = `${base}/admin/api/${encodeURIComponent(version)}/shop.json`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'X-Shopify-Access-Token': secrets.accessToken, Accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, message: `${base} could not be reached: ${reason}` };
  }
  if (response.status === 401 || response.status === 403) return { ok: false, message: `Shopify refused the access token (HTTP ${response.status})` };
  if (!response.ok) return { ok: false, message: `Shopify answered HTTP ${response.status} for ${url}` };
  const body = object(await response.json().catch(() => ({})));
  const shop = object(body.shop);
  return { ok: true, message: `Connected to ${first(shop.name, shop.myshopify_domain, shop.domain) || base}` };
}

/*
 * The fulfilment back to the shop (issue 15 item 2, outbound): when our shipment of a Shopify order ships, the shop gets a
 * fulfilment of those lines with the tracking. Admin REST API: GET orders/{id}/fulfillment_orders.json, then POST
 * fulfillments.json with line_items_by_fulfillment_order and tracking_info (shopify.dev "Fulfillment" and "FulfillmentOrder").
 */

/**
 * Our carrier codes (src/tracking/carriers) as Shopify's tracking company names: written exactly as in Shopify's list
 * (FulfillmentTrackingInfo, "Supported tracking companies"), Shopify links the number itself; we send the URL as well.
 */
export const SHOPIFY_TRACKING_COMPANIES: Readonly<Record<string, string>> = {
  sf: 'SF Express', zto: 'ZTO Express', yto: 'YTO Express', sto: 'STO Express', yunda: 'Yunda Express', jd: 'JD Logistics', ems: 'China EMS (ePacket)',
};

export interface ShopifyAdmin {
  base: string;
  version: string;
  accessToken: string;
}

/** The connector's Admin API (as the credentials check forms it), or why it cannot be called. */
export function shopifyAdminOf(settings: Json, secrets: Record<string, string>): ShopifyAdmin | string {
  const base = shopifyAdminBase(settings);
  if (!base) return 'settings.shopDomain is not set: the fulfilment cannot be sent to Shopify';
  if (!secrets.accessToken) return 'secrets.accessToken (the Admin API access token) is not set: the fulfilment cannot be sent to Shopify';
  return { base, version: text(settings.apiVersion) || SHOPIFY_DEFAULT_API_VERSION, accessToken: secrets.accessToken };
}

/** One Admin API call, authenticated with X-Shopify-Access-Token; `path` is below /admin/api/{version}/. */
export function shopifyAdminRequest(admin: ShopifyAdmin, method: 'GET' | 'POST', path: string, body?: string): SignedRequest {
  return {
    method,
    url: `${admin.base}/admin/api/${encodeURIComponent(admin.version)}/${path}`,
    headers: { 'X-Shopify-Access-Token': admin.accessToken, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body ?? '',
  };
}

export interface ShopifyTracking {
  number: string;
  company: string;
  url: string | null;
}

/**
 * The fulfilments that ship `wanted` (our SKUs and quantities) of a Shopify order: each SKU is found among the order's
 * line items (by the intake's rule, shopifySkuOf), its units taken from the open fulfillment orders' line items that can
 * still be fulfilled, one fulfilment per location (Shopify fulfils one location's fulfillment orders at a time). Units
 * Shopify no longer has to fulfil (a previous attempt, or the merchant, fulfilled them) are left out: `alreadyFulfilled`.
 * A SKU the order does not have is `missing` (sending again cannot help). Ids are 64-bit: read and written as digits.
 */
export function planShopifyFulfilment(
  orderBody: string,
  fulfillmentOrdersBody: string,
  wanted: ReadonlyArray<{ sku: string; quantity: number }>,
  tracking: ShopifyTracking,
  notifyCustomer: boolean,
): { fulfilments: string[]; missing: string[]; alreadyFulfilled: string[] } {
  const order = object(object(parseJsonKeepingLongIntegers(orderBody)).order);
  const lineItems = (Array.isArray(order.line_items) ? order.line_items : []).map(object);
  const fulfillmentOrders = arrayOf(object(parseJsonKeepingLongIntegers(fulfillmentOrdersBody)).fulfillment_orders)
    .filter((fo) => (Array.isArray(fo.supported_actions) ? fo.supported_actions.includes('create_fulfillment') : ['open', 'in_progress'].includes(text(fo.status))));
  const left = new Map<string, number>(); // fulfillment order line item id → units still to fulfil
  for (const fo of fulfillmentOrders) for (const item of arrayOf(fo.line_items)) left.set(text(item.id), Number(item.fulfillable_quantity) || 0);
  const byLocation = new Map<string, Map<string, Array<{ id: string; quantity: number }>>>();
  const missing: string[] = [];
  const alreadyFulfilled: string[] = [];
  for (const line of wanted) {
    const ids = new Set(lineItems.filter((item) => shopifySkuOf(item) === line.sku).map((item) => text(item.id)));
    if (ids.size === 0) {
      missing.push(line.sku);
      continue;
    }
    let due = line.quantity;
    for (const fo of fulfillmentOrders) {
      for (const item of arrayOf(fo.line_items)) {
        const free = left.get(text(item.id)) ?? 0;
        if (due === 0 || free === 0 || !ids.has(text(item.line_item_id))) continue;
        const take = Math.min(due, free);
        due -= take;
        left.set(text(item.id), free - take);
        const location = byLocation.get(text(fo.assigned_location_id)) ?? new Map<string, Array<{ id: string; quantity: number }>>();
        byLocation.set(text(fo.assigned_location_id), location);
        location.set(text(fo.id), [...(location.get(text(fo.id)) ?? []), { id: text(item.id), quantity: take }]);
      }
    }
    if (due === line.quantity) alreadyFulfilled.push(line.sku);
  }
  const trackingInfo = { number: tracking.number, company: tracking.company, ...(tracking.url ? { url: tracking.url } : {}) };
  const fulfilments = [...byLocation.values()].map((orders) => withLongIds(JSON.stringify({
    fulfillment: {
      line_items_by_fulfillment_order: [...orders].map(([id, items]) => ({ fulfillment_order_id: id, fulfillment_order_line_items: items })),
      tracking_info: trackingInfo,
      notify_customer: notifyCustomer,
    },
  })));
  return { fulfilments, missing, alreadyFulfilled };
}

const arrayOf = (value: unknown): Json[] => (Array.isArray(value) ? value.map(object) : []);

/** Ids kept as text while planning go back to JSON numbers, digit for digit (beyond 2^53 a JS number would change them). */
const withLongIds = (json: string): string => json.replace(/"(id|fulfillment_order_id)":"(\d{1,20})"/g, '"$1":$2');
