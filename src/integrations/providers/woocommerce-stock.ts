import { asRecord, type SignedRequest, text } from './provider-types';
import type { WooCommerceStore } from './woocommerce';

/**
 * WooCommerce stock sync (issue 15 item 2): `GET /wp-json/wc/v3/products?sku=` finds the product, or the variation (with
 * a `sku` the products route searches variations too and answers them with type `variation` and their `parent_id`); then
 * `PUT /products/{id}` or `PUT /products/{parent}/variations/{id}` with `manage_stock: true` and `stock_quantity`.
 * HTTP Basic with the consumer key and secret, as the REST API docs' "Authentication over HTTPS". Pure: no network.
 */

export function wooCommerceStoreOf(settings: Record<string, unknown>, secrets: Record<string, string>): WooCommerceStore {
  return { baseUrl: text(settings.storeUrl).replace(/\/+$/, ''), consumerKey: secrets.consumerKey ?? '', consumerSecret: secrets.consumerSecret ?? '' };
}

function headersOf(store: WooCommerceStore): Record<string, string> {
  return {
    Authorization: `Basic ${Buffer.from(`${store.consumerKey}:${store.consumerSecret}`, 'utf8').toString('base64')}`,
    Accept: 'application/json',
    'Content-Type': 'application/json',
  };
}

export function buildWooCommerceProductBySku(store: WooCommerceStore, sku: string): SignedRequest {
  return { method: 'GET', url: `${store.baseUrl}/wp-json/wc/v3/products?${new URLSearchParams({ sku })}`, headers: headersOf(store), body: '' };
}

export interface WooCommerceStockItem {
  id: string;
  /** Set for a variation: its product. */
  parentId: string | null;
}

/** The product or variation with exactly this SKU; null when the store has none; undefined when the answer is not a list. */
export function readWooCommerceProductBySku(body: string, sku: string): WooCommerceStockItem | null | undefined {
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(items)) return undefined;
  const item = items.map(asRecord).find((candidate) => text(candidate.sku) === sku && text(candidate.id) !== '');
  if (!item) return null;
  const parent = text(item.parent_id);
  return { id: text(item.id), parentId: text(item.type) === 'variation' && parent && parent !== '0' ? parent : null };
}

export function buildWooCommerceStockSet(store: WooCommerceStore, item: WooCommerceStockItem, quantity: number): SignedRequest {
  const path = item.parentId
    ? `products/${encodeURIComponent(item.parentId)}/variations/${encodeURIComponent(item.id)}`
    : `products/${encodeURIComponent(item.id)}`;
  return { method: 'PUT', url: `${store.baseUrl}/wp-json/wc/v3/${path}`, headers: headersOf(store), body: JSON.stringify({ manage_stock: true, stock_quantity: quantity }) };
}
