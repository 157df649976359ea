import { asRecord, parseJsonObject, type SignedRequest, text } from './provider-types';
import { SHOPIFY_DEFAULT_API_VERSION, shopifyAdminBase } from './shopify';

/**
 * Shopify stock sync (issue 15 item 2): the variant found by SKU through the GraphQL Admin API (productVariants with a
 * `sku:` search), then `inventorySetQuantities` sets the `available` quantity of its inventory item at the connector's
 * location. We are the source of truth for stock, so the compare-and-set check is opted out of (ignoreCompareQuantity
 * before API 2026-04, `changeFromQuantity: null` from it on). Docs: shopify.dev/docs/api/admin-graphql/latest/queries/productVariants,
 * /mutations/inventorySetQuantities. Pure: requests and the reading of answers, no network.
 */

export interface ShopifyStockAccess {
  base: string;
  version: string;
  accessToken: string;
  /** gid://shopify/Location/N */
  locationGid: string;
}

export function shopifyStockAccess(settings: Record<string, unknown>, secrets: Record<string, string>): ShopifyStockAccess {
  const location = text(settings.locationId);
  return {
    base: shopifyAdminBase(settings) ?? '',
    version: text(settings.apiVersion) || SHOPIFY_DEFAULT_API_VERSION,
    accessToken: secrets.accessToken ?? '',
    locationGid: location.startsWith('gid://') ? location : `gid://shopify/Location/${location}`,
  };
}

function graphql(access: ShopifyStockAccess, query: string, variables: Record<string, unknown>): SignedRequest {
  return {
    method: 'POST',
    url: `${access.base}/admin/api/${encodeURIComponent(access.version)}/graphql.json`,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Shopify-Access-Token': access.accessToken },
    body: JSON.stringify({ query, variables }),
  };
}

const VARIANT_BY_SKU = `query StockVariantBySku($query: String!) {
  productVariants(first: 10, query: $query) { nodes { id sku inventoryItem { id } } }
}`;

/** The variants whose SKU matches (Shopify's search is by token: the exact one is picked from the answer). */
export function buildShopifyVariantBySku(access: ShopifyStockAccess, sku: string): SignedRequest {
  return graphql(access, VARIANT_BY_SKU, { query: `sku:${JSON.stringify(sku)}` });
}

/** A GraphQL answer that is not a result: THROTTLED (and other transient codes) are worth retrying, anything else is not. */
export interface ShopifyGraphqlProblem {
  retry: boolean;
  message: string;
}

function problemOf(answer: Record<string, unknown> | null): ShopifyGraphqlProblem | null {
  if (!answer) return { retry: true, message: 'Shopify answered something that is not JSON' };
  if (!Array.isArray(answer.errors) || answer.errors.length === 0) return null;
  const errors = answer.errors.map(asRecord);
  const codes = errors.map((error) => text(asRecord(error.extensions).code));
  const message = errors.map((error) => text(error.message)).filter(Boolean).join('; ');
  return { retry: codes.some((code) => ['THROTTLED', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE'].includes(code)), message: `Shopify GraphQL error: ${message || codes.join(', ')}` };
}

/** The inventory item of the variant with exactly this SKU; null when the shop has none. */
export function readShopifyVariantBySku(body: string, sku: string): { inventoryItemId: string } | null | ShopifyGraphqlProblem {
  const answer = parseJsonObject(body);
  const problem = problemOf(answer);
  if (problem) return problem;
  const nodes = asRecord(asRecord(answer!.data).productVariants).nodes;
  const variant = (Array.isArray(nodes) ? nodes.map(asRecord) : []).find((node) => text(node.sku) === sku);
  const inventoryItemId = variant ? text(asRecord(variant.inventoryItem).id) : '';
  return inventoryItemId ? { inventoryItemId } : null;
}

const SET_QUANTITIES = `mutation StockSet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { code field message } }
}`;

/** Sets the `available` quantity of the item at the connector's location to `quantity`. */
export function buildShopifyInventorySet(access: ShopifyStockAccess, inventoryItemId: string, quantity: number, sku: string): SignedRequest {
  // 2026-04 made changeFromQuantity mandatory and dropped ignoreCompareQuantity (changelog, December 2025)
  const changeFrom = access.version === 'unstable' || access.version >= '2026-04';
  return graphql(access, SET_QUANTITIES, {
    input: {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: `oms://stock-sync/${encodeURIComponent(sku)}`,
      ...(changeFrom ? {} : { ignoreCompareQuantity: true }),
      quantities: [{ inventoryItemId, locationId: access.locationGid, quantity, ...(changeFrom ? { changeFromQuantity: null } : {}) }],
    },
  });
}

/** null when the quantity was set; else what went wrong (a userError is Shopify refusing what we sent). */
export function readShopifyInventorySet(body: string): ShopifyGraphqlProblem | null {
  const answer = parseJsonObject(body);
  const problem = problemOf(answer);
  if (problem) return problem;
  const result = asRecord(asRecord(answer!.data).inventorySetQuantities);
  if (!answer!.data || !Object.keys(result).length) return { retry: true, message: 'Shopify answered without an inventorySetQuantities result' };
  const userErrors = Array.isArray(result.userErrors) ? result.userErrors.map(asRecord) : [];
  if (!userErrors.length) return null;
  return { retry: false, message: `Shopify refused the quantity: ${userErrors.map((error) => `${text(error.code)} ${text(error.message)}`.trim()).join('; ')}` };
}
