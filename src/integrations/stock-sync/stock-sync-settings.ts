import type { ErrorDetail } from '../../common/errors';

/**
 * A connector's stock sync settings (issue 15 item 2, 库存同步), read by the API's validation, the sender and the docs:
 * `stockSync` turns it on, `stockBuffer` units are held back from what each platform is told (a safety margin against
 * overselling while a push is on its way), `stockWarehouses` limits which warehouses' stock is offered (default: every
 * active one). The database triggers (migration 1765015000000) read the same keys.
 */
export const STOCK_SYNC_KINDS: readonly string[] = ['shopify', 'woocommerce', 'taobao'];

/** What each platform needs to be told stock, beyond what its kind always needs. */
const NEEDED: Readonly<Record<string, { settings: readonly string[]; secrets: readonly string[] }>> = {
  // the Admin API (GraphQL) with the app's access token, and the location whose level is set
  shopify: { settings: ['locationId'], secrets: ['accessToken'] },
  // the store's REST API with a consumer key and secret (read/write)
  woocommerce: { settings: ['storeUrl'], secrets: ['consumerKey', 'consumerSecret'] },
  // TOP: appKey, appSecret and sessionKey, which the kind requires anyway
  taobao: { settings: [], secrets: [] },
};

export const MAX_STOCK_BUFFER = 1_000_000;
const WAREHOUSE_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const SHOPIFY_LOCATION = /^(gid:\/\/shopify\/Location\/)?\d{1,20}$/;

export interface StockSyncSettings {
  enabled: boolean;
  buffer: number;
  /** The warehouse codes counted; null: every active warehouse. */
  warehouses: string[] | null;
}

export function stockSyncOf(settings: Record<string, unknown>): StockSyncSettings {
  return {
    enabled: settings.stockSync === true,
    buffer: Number.isInteger(settings.stockBuffer) ? (settings.stockBuffer as number) : 0,
    warehouses: Array.isArray(settings.stockWarehouses) ? (settings.stockWarehouses as string[]) : null,
  };
}

/** What is wrong with the stock sync settings (path and message, as a 422 lists them). */
export function stockSyncSettingProblems(kind: string, settings: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const { stockSync, stockBuffer, stockWarehouses } = settings;
  if (stockSync !== undefined && typeof stockSync !== 'boolean') problems.push({ path: 'settings.stockSync', message: 'must be true or false' });
  else if (stockSync === true && !STOCK_SYNC_KINDS.includes(kind)) {
    problems.push({ path: 'settings.stockSync', message: `stock is pushed to shop platforms only (${STOCK_SYNC_KINDS.join(', ')})` });
  }
  if (stockBuffer !== undefined && (!Number.isInteger(stockBuffer) || (stockBuffer as number) < 0 || (stockBuffer as number) > MAX_STOCK_BUFFER)) {
    problems.push({ path: 'settings.stockBuffer', message: `must be a whole number of units from 0 to ${MAX_STOCK_BUFFER}` });
  }
  if (stockWarehouses !== undefined) {
    const codes = Array.isArray(stockWarehouses) ? stockWarehouses : [];
    if (!Array.isArray(stockWarehouses) || codes.length === 0 || codes.length > 100 || !codes.every((code) => typeof code === 'string' && WAREHOUSE_CODE.test(code))
      || new Set(codes).size !== codes.length) {
      problems.push({ path: 'settings.stockWarehouses', message: 'must be a list of 1-100 different warehouse codes (leave it out to count every active warehouse)' });
    }
  }
  if (kind === 'shopify' && settings.locationId !== undefined && !SHOPIFY_LOCATION.test(String(settings.locationId))) {
    problems.push({ path: 'settings.locationId', message: 'must be the Shopify location\'s id, like 65538031 or gid://shopify/Location/65538031' });
  }
  if (stockSync === true && STOCK_SYNC_KINDS.includes(kind)) {
    for (const key of NEEDED[kind].settings) {
      if (typeof settings[key] !== 'string' && typeof settings[key] !== 'number') problems.push({ path: `settings.${key}`, message: `is required to push stock to ${kind}` });
    }
    if (kind === 'shopify' && !settings.shopDomain && !settings.apiBaseUrl) problems.push({ path: 'settings.shopDomain', message: 'is required to push stock to shopify' });
  }
  return problems;
}

/** The secrets a connector needs once its settings turn stock sync on (422 when missing). */
export function stockSyncSecrets(kind: string, settings: Record<string, unknown>): readonly string[] {
  return settings.stockSync === true ? (NEEDED[kind]?.secrets ?? []) : [];
}

/** The topic of stock pushes; their key is `stock:<sku>` (the database triggers queue them). */
export const STOCK_SYNC_TOPIC = 'stock';

/** The advisory lock class of a SKU's stock (migration 1765015000000 takes it shared when it queues a push). */
export const STOCK_SYNC_LOCK = 1_765_015_000;
