import { buildShopifyInventorySet, buildShopifyVariantBySku, readShopifyInventorySet, readShopifyVariantBySku, shopifyStockAccess } from '../../../src/integrations/providers/shopify-stock';
import { buildTopQuantityUpdate, readTopSkusByOuterId, topErrorOf } from '../../../src/integrations/providers/taobao-stock';
import { buildWooCommerceStockSet, readWooCommerceProductBySku } from '../../../src/integrations/providers/woocommerce-stock';
import { stockSyncSettingProblems } from '../../../src/integrations/stock-sync/stock-sync-settings';

/** Issue 15 item 2: the stock sync requests and the reading of each platform's answers (the e2e tests run them against fakes). */
describe('stock sync: platform requests and answers', () => {
  const access = shopifyStockAccess({ shopDomain: 'my-shop.myshopify.com', locationId: '65538031' }, { accessToken: 'shpat_x' });

  it('Shopify: a variant searched by quoted SKU, the exact one picked; the quantity set at the location, compare-and-set opted out by version', () => {
    const search = buildShopifyVariantBySku(access, 'TEA "001"');
    expect(search.url).toBe('https://my-shop.myshopify.com/admin/api/2025-07/graphql.json');
    expect(search.headers['X-Shopify-Access-Token']).toBe('shpat_x');
    expect(JSON.parse(search.body).variables).toEqual({ query: 'sku:"TEA \\"001\\""' });
    const answer = JSON.stringify({ data: { productVariants: { nodes: [{ sku: 'TEA-0011', inventoryItem: { id: 'gid://shopify/InventoryItem/2' } }, { sku: 'TEA-001', inventoryItem: { id: 'gid://shopify/InventoryItem/1' } }] } } });
    expect(readShopifyVariantBySku(answer, 'TEA-001')).toEqual({ inventoryItemId: 'gid://shopify/InventoryItem/1' });
    expect(readShopifyVariantBySku(answer, 'TEA-002')).toBeNull();
    expect(readShopifyVariantBySku(JSON.stringify({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }] }), 'TEA-001')).toEqual({ retry: true, message: expect.stringContaining('Throttled') });

    const input = JSON.parse(buildShopifyInventorySet(access, 'gid://shopify/InventoryItem/1', 7, 'TEA-001').body).variables.input;
    expect(input).toMatchObject({ name: 'available', ignoreCompareQuantity: true, quantities: [{ inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/65538031', quantity: 7 }] });
    const newer = JSON.parse(buildShopifyInventorySet({ ...access, version: '2026-04' }, 'gid://shopify/InventoryItem/1', 7, 'TEA-001').body).variables.input;
    expect(newer.ignoreCompareQuantity).toBeUndefined();
    expect(newer.quantities[0]).toHaveProperty('changeFromQuantity', null);
    expect(readShopifyInventorySet(JSON.stringify({ data: { inventorySetQuantities: { userErrors: [] } } }))).toBeNull();
    expect(readShopifyInventorySet(JSON.stringify({ data: { inventorySetQuantities: { userErrors: [{ code: 'INVALID_LOCATION', message: 'no' }] } } }))).toEqual({ retry: false, message: expect.stringContaining('INVALID_LOCATION') });
  });

  it('WooCommerce: a variation is set through its product, a simple product directly; the exact SKU only', () => {
    const store = { baseUrl: 'https://shop.example.com', consumerKey: 'ck', consumerSecret: 'cs' };
    const list = JSON.stringify([{ id: 11, sku: 'TEA-0011', type: 'simple', parent_id: 0 }, { id: 12, sku: 'TEA-001', type: 'variation', parent_id: 5 }]);
    const variation = readWooCommerceProductBySku(list, 'TEA-001')!;
    expect(variation).toEqual({ id: '12', parentId: '5' });
    expect(buildWooCommerceStockSet(store, variation, 3)).toMatchObject({ method: 'PUT', url: 'https://shop.example.com/wp-json/wc/v3/products/5/variations/12', body: '{"manage_stock":true,"stock_quantity":3}' });
    expect(buildWooCommerceStockSet(store, readWooCommerceProductBySku(list, 'TEA-0011')!, 0).url).toBe('https://shop.example.com/wp-json/wc/v3/products/11');
    expect(readWooCommerceProductBySku('[]', 'TEA-001')).toBeNull();
    expect(readWooCommerceProductBySku('{"code":"x"}', 'TEA-001')).toBeUndefined();
  });

  it('Taobao: 64-bit ids kept exact, a full (type 1) update, TOP errors told apart', () => {
    const found = readTopSkusByOuterId('{"skus_custom_get_response":{"skus":{"sku":[{"sku_id":4312345678901234567,"num_iid":612345678901,"outer_id":"TEA-001"}]}}}', 'TEA-001');
    expect(found).toEqual({ ok: true, value: { numIid: '612345678901', skuId: '4312345678901234567' } });
    const form = Object.fromEntries(new URLSearchParams(buildTopQuantityUpdate({ numIid: '612345678901', skuId: '4312345678901234567' }, 9, { appKey: 'k', appSecret: 's', session: 'x' }).body));
    expect(form).toMatchObject({ method: 'taobao.item.quantity.update', num_iid: '612345678901', sku_id: '4312345678901234567', quantity: '9', type: '1', sign: expect.stringMatching(/^[0-9A-F]{64}$/) });
    expect(topErrorOf('{"error_response":{"code":7,"msg":"App Call Limited"}}')).toMatchObject({ retry: true, notFound: false });
    expect(topErrorOf('{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isp.top-remote-unknown-error"}}')).toMatchObject({ retry: true });
    expect(topErrorOf('{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.item-not-exist"}}')).toMatchObject({ retry: false, notFound: true });
    expect(topErrorOf('{"error_response":{"code":25,"msg":"Invalid signature"}}')).toMatchObject({ retry: false, notFound: false });
    expect(topErrorOf('{"item_quantity_update_response":{}}')).toBeNull();
  });

  it('settings: stockSync a boolean on shop kinds only, the buffer a whole number, warehouses a list of codes', () => {
    expect(stockSyncSettingProblems('taobao', { stockSync: true, stockBuffer: 0, stockWarehouses: ['SH-01'] })).toEqual([]);
    expect(stockSyncSettingProblems('wms', { stockSync: true }).map((problem) => problem.path)).toEqual(['settings.stockSync']);
    expect(stockSyncSettingProblems('taobao', { stockBuffer: 2_000_000, stockWarehouses: [] }).map((problem) => problem.path)).toEqual(['settings.stockBuffer', 'settings.stockWarehouses']);
    expect(stockSyncSettingProblems('taobao', { stockWarehouses: ['A', 'A'] }).map((problem) => problem.path)).toEqual(['settings.stockWarehouses']);
  });
});
