import { createHmac, timingSafeEqual } from 'node:crypto';
import { isEmail } from 'class-validator';
import { fromCents, isMoney, toCents } from '../../common/money';
import { isRealIsoTime } from '../../common/validation';
import { paidLines, sumOfAmounts } from './provider-types';

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
    // a line without a SKU is still taken, and flagged unknown_sku for a person to match
    const sku = (text(line.sku) || `SHOPIFY-${first(line.variant_id, line.product_id, line.id) || 'NO-SKU'}`).slice(0, 64);
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
