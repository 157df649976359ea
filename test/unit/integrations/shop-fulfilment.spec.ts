import { planShopifyFulfilment, SHOPIFY_TRACKING_COMPANIES, shopifyAdminOf, shopifyAdminRequest } from '../../../src/integrations/providers/shopify';
import { readTopSendBackAnswer, TOP_COMPANY_CODES, topSettingsOf } from '../../../src/integrations/providers/taobao';
import { WOOCOMMERCE_CARRIER_NAMES } from '../../../src/integrations/providers/woocommerce';
import { CARRIER_CODES } from '../../../src/tracking/carriers/carriers';

/**
 * Issue 15 item 2, outbound: the pure parts of telling a shop platform what shipped — Shopify's fulfilment plan over its
 * fulfillment orders, TOP's answers to a waybill send-back, and each platform's names for our carriers.
 */
describe('shop fulfilment pushes: providers', () => {
  // the Admin API's shapes, abridged from shopify.dev (Order line_items, FulfillmentOrder), with 64-bit ids as raw digits
  const ORDER = `{"order":{"id":5503467241644018000,"line_items":[
    {"id":13614342291622134001,"variant_id":44582731972852,"sku":"TEA-01","quantity":3},
    {"id":13614342291622134002,"variant_id":44582731972853,"sku":"","quantity":1}]}}`;
  const fulfillmentOrders = (rows: string) => `{"fulfillment_orders":[${rows}]}`;
  const FO_A = `{"id":6527389663404018001,"status":"open","assigned_location_id":72057594037927936,"supported_actions":["create_fulfillment","move"],
    "line_items":[{"id":13900000000000000001,"line_item_id":13614342291622134001,"quantity":2,"fulfillable_quantity":2}]}`;
  const FO_B = `{"id":6527389663404018002,"status":"open","assigned_location_id":72057594037927999,"supported_actions":["create_fulfillment"],
    "line_items":[{"id":13900000000000000002,"line_item_id":13614342291622134001,"quantity":1,"fulfillable_quantity":1},
                  {"id":13900000000000000003,"line_item_id":13614342291622134002,"quantity":1,"fulfillable_quantity":1}]}`;
  const tracking = { number: 'SF1234567890', company: 'SF Express', url: 'https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890' };

  it('Shopify: the wanted units taken from the open fulfillment orders, one fulfilment per location, ids written digit for digit', () => {
    const plan = planShopifyFulfilment(ORDER, fulfillmentOrders(`${FO_A},${FO_B}`), [{ sku: 'TEA-01', quantity: 3 }, { sku: 'SHOPIFY-44582731972853', quantity: 1 }], tracking, false);
    expect(plan.missing).toEqual([]);
    expect(plan.alreadyFulfilled).toEqual([]);
    expect(plan.fulfilments).toEqual([
      '{"fulfillment":{"line_items_by_fulfillment_order":[{"fulfillment_order_id":6527389663404018001,"fulfillment_order_line_items":[{"id":13900000000000000001,"quantity":2}]}],'
        + `"tracking_info":{"number":"SF1234567890","company":"SF Express","url":"${tracking.url}"},"notify_customer":false}}`,
      '{"fulfillment":{"line_items_by_fulfillment_order":[{"fulfillment_order_id":6527389663404018002,"fulfillment_order_line_items":[{"id":13900000000000000002,"quantity":1},{"id":13900000000000000003,"quantity":1}]}],'
        + `"tracking_info":{"number":"SF1234567890","company":"SF Express","url":"${tracking.url}"},"notify_customer":false}}`,
    ]);
  });

  it('Shopify: a partial shipment takes only its units; units Shopify no longer has to fulfil are left out; a SKU the order lacks is missing', () => {
    const partial = planShopifyFulfilment(ORDER, fulfillmentOrders(FO_A), [{ sku: 'TEA-01', quantity: 1 }], { ...tracking, url: null }, true);
    expect(partial.fulfilments).toHaveLength(1);
    expect(JSON.parse(partial.fulfilments[0].replace(/:(\d{16,})/g, ':"$1"'))).toEqual({
      fulfillment: {
        line_items_by_fulfillment_order: [{ fulfillment_order_id: '6527389663404018001', fulfillment_order_line_items: [{ id: '13900000000000000001', quantity: 1 }] }],
        tracking_info: { number: 'SF1234567890', company: 'SF Express' },
        notify_customer: true,
      },
    });
    // fulfilled before (a retry after a lost answer): closed fulfillment orders offer no create_fulfillment
    const closed = FO_A.replace('"status":"open"', '"status":"closed"').replace('["create_fulfillment","move"]', '[]');
    expect(planShopifyFulfilment(ORDER, fulfillmentOrders(closed), [{ sku: 'TEA-01', quantity: 2 }], tracking, false))
      .toEqual({ fulfilments: [], missing: [], alreadyFulfilled: ['TEA-01'] });
    expect(planShopifyFulfilment(ORDER, fulfillmentOrders(FO_A), [{ sku: 'NOT-IN-ORDER', quantity: 1 }], tracking, false).missing).toEqual(['NOT-IN-ORDER']);
  });

  it('Shopify: the Admin API call carries the access token, at the connector\'s base and version; without domain or token it cannot be called', () => {
    const admin = shopifyAdminOf({ shopDomain: 'my-shop.myshopify.com' }, { accessToken: 'shpat_x' });
    expect(admin).toEqual({ base: 'https://my-shop.myshopify.com', version: '2025-07', accessToken: 'shpat_x' });
    expect(shopifyAdminRequest(admin as Exclude<typeof admin, string>, 'POST', 'fulfillments.json', '{}')).toEqual({
      method: 'POST', url: 'https://my-shop.myshopify.com/admin/api/2025-07/fulfillments.json',
      headers: { 'X-Shopify-Access-Token': 'shpat_x', Accept: 'application/json', 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(shopifyAdminOf({}, { accessToken: 'shpat_x' })).toContain('settings.shopDomain');
    expect(shopifyAdminOf({ shopDomain: 'my-shop.myshopify.com' }, {})).toContain('secrets.accessToken');
  });

  it('TOP: sent, already consigned (done), TOP\'s own failures (retry), and refusals read from the answer', () => {
    expect(readTopSendBackAnswer('{"logistics_offline_send_response":{"shipping":{"is_success":true}}}').outcome).toBe('sent');
    const error = (code: number, subCode: string, subMsg: string) => JSON.stringify({ error_response: { code, msg: 'Remote service error', sub_code: subCode, sub_msg: subMsg } });
    expect(readTopSendBackAnswer(error(15, 'isv.logistics-offline-service-error:B04', '该订单已发货'))).toMatchObject({ outcome: 'already_sent' });
    expect(readTopSendBackAnswer(error(15, 'isv.logistics-offline-service-error:B01', '运单号不符合规则'))).toMatchObject({ outcome: 'refused', message: expect.stringContaining('运单号不符合规则') });
    expect(readTopSendBackAnswer(error(15, 'isp.top-remote-connection-timeout', '')).outcome).toBe('retry');
    expect(readTopSendBackAnswer(error(7, 'accesscontrol.limited-by-app-access-count', '')).outcome).toBe('retry');
    expect(readTopSendBackAnswer(error(27, '', '')).outcome).toBe('refused'); // Invalid session: the shop must authorise again
    expect(readTopSendBackAnswer('{"logistics_offline_send_response":{"shipping":{"is_success":false}}}').outcome).toBe('refused');
    expect(readTopSendBackAnswer('<html>').outcome).toBe('retry');
  });

  it('TOP: the connector\'s settings and secrets as call settings (an unknown sign method is left to the default)', () => {
    expect(topSettingsOf({ appKey: '12345678', gateway: 'http://127.0.0.1:9/router/rest', signMethod: 'md5' }, { appSecret: 's', sessionKey: 'k' }))
      .toEqual({ appKey: '12345678', appSecret: 's', session: 'k', signMethod: 'md5', gateway: 'http://127.0.0.1:9/router/rest' });
    expect(topSettingsOf({ appKey: '1', signMethod: 'sha1' }, { appSecret: 's', sessionKey: 'k' })).not.toHaveProperty('signMethod');
  });

  it('every carrier we ship with has a name or code on each platform', () => {
    for (const code of CARRIER_CODES) {
      expect(SHOPIFY_TRACKING_COMPANIES[code]).toEqual(expect.any(String));
      expect(WOOCOMMERCE_CARRIER_NAMES[code]).toEqual(expect.any(String));
      expect(TOP_COMPANY_CODES[code]).toEqual(expect.any(String));
    }
  });
});
