import {
  buildWooCommerceFulfilment, isWooCommercePing, mapWooCommerceOrder, verifyWooCommerceWebhook,
} from '../../../src/integrations/providers/woocommerce';
import { wooCommerceDelivery } from './provider-fakes';

/** The REST API docs' order example ("Create an order" response, abridged to the fields we read). */
function docsOrder(overrides: Record<string, unknown> = {}) {
  return {
    id: 727,
    parent_id: 0,
    number: '727',
    order_key: 'wc_order_58d2d042d1d',
    created_via: 'rest-api',
    version: '3.0.0',
    status: 'processing',
    currency: 'USD',
    date_created: '2017-03-22T16:28:02',
    date_created_gmt: '2017-03-22T19:28:02',
    discount_total: '0.00',
    shipping_total: '10.00',
    total: '29.35',
    total_tax: '1.35',
    customer_id: 0,
    billing: {
      first_name: 'John', last_name: 'Doe', company: '', address_1: '969 Market', address_2: '', city: 'San Francisco', state: 'CA',
      postcode: '94103', country: 'US', email: 'john.doe@example.com', phone: '(555) 555-5555',
    },
    shipping: { first_name: 'John', last_name: 'Doe', company: '', address_1: '969 Market', address_2: '', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US' },
    payment_method: 'bacs',
    payment_method_title: 'Direct Bank Transfer',
    transaction_id: '',
    customer_note: '',
    date_paid: '2017-03-22T16:28:08',
    date_paid_gmt: '2017-03-22T19:28:08',
    line_items: [
      { id: 315, name: 'Woo Single #1', product_id: 93, variation_id: 0, quantity: 2, tax_class: '', subtotal: '6.00', subtotal_tax: '0.45', total: '6.00', total_tax: '0.45', sku: '', price: 3 },
      { id: 316, name: 'Ship Your Idea &ndash; Color: Black, Size: M Test', product_id: 22, variation_id: 23, quantity: 1, tax_class: '', subtotal: '12.00', subtotal_tax: '0.90', total: '12.00', total_tax: '0.90', sku: 'Bar3', price: 12 },
    ],
    ...overrides,
  };
}

/** A store selling in China: WooCommerce writes the province as its state code CN1..CN32. */
function chineseOrder(overrides: Record<string, unknown> = {}) {
  return docsOrder({
    id: 1088,
    currency: 'CNY',
    status: 'pending',
    date_paid: null,
    date_paid_gmt: null,
    total: '59.97',
    shipping_total: '0.00',
    discount_total: '6.00',
    billing: { first_name: '三', last_name: '张', address_1: '文三路100号', address_2: '3单元501', city: '杭州市', state: 'CN12', postcode: '310000', country: 'CN', email: '', phone: '13800138000' },
    shipping: { first_name: '', last_name: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '' },
    payment_method: 'alipay',
    customer_note: '请工作日送货',
    line_items: [{ id: 1, product_id: 5, variation_id: 0, quantity: 3, subtotal: '65.97', total: '59.97', sku: 'TEA-001', price: 21.990000000000002 }],
    ...overrides,
  });
}

/** Issue 15 item 2: WooCommerce webhooks (X-WC-Webhook-Signature) and its order mapped to our intake body. */
describe('WooCommerce', () => {
  const secret = 'wc-secret-2f9a';

  describe('webhook', () => {
    it('a genuine delivery verifies and carries its topic, delivery id and order', () => {
      const result = verifyWooCommerceWebhook(wooCommerceDelivery(docsOrder(), secret, 'order.updated'), secret);
      expect(result).toMatchObject({ ok: true, value: { topic: 'order.updated', deliveryId: '8f3f6c1e0d7c4', resource: { id: 727 } } });
    });

    it('a body changed after signing, another secret, or no signature is refused', () => {
      const genuine = wooCommerceDelivery(docsOrder(), secret);
      expect(verifyWooCommerceWebhook({ ...genuine, rawBody: genuine.rawBody.replace('29.35', '0.35') }, secret)).toMatchObject({ ok: false, code: 'signature_invalid' });
      expect(verifyWooCommerceWebhook(genuine, 'another-secret')).toMatchObject({ ok: false, code: 'signature_invalid' });
      const { 'x-wc-webhook-signature': _dropped, ...unsigned } = genuine.headers;
      expect(verifyWooCommerceWebhook({ ...genuine, headers: unsigned }, secret)).toMatchObject({ ok: false, code: 'signature_missing' });
    });

    it('with no secret configured a delivery signed with the empty key is refused', () => {
      expect(verifyWooCommerceWebhook(wooCommerceDelivery(docsOrder(), ''), '')).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringContaining('no webhook secret') });
    });

    it('the same order re-serialised (spacing) no longer verifies: the raw body is what is signed', () => {
      const genuine = wooCommerceDelivery(docsOrder(), secret);
      const reformatted = JSON.stringify(JSON.parse(genuine.rawBody), null, 2);
      expect(verifyWooCommerceWebhook({ ...genuine, rawBody: reformatted }, secret)).toMatchObject({ ok: false, code: 'signature_invalid' });
    });

    it('recognises the unsigned ping WooCommerce sends when a webhook is created', () => {
      expect(isWooCommercePing('webhook_id=12')).toBe(true);
      expect(isWooCommercePing(JSON.stringify(docsOrder()))).toBe(false);
    });
  });

  describe('order mapping', () => {
    it('the docs\' example order becomes our intake body (money as 2-decimal strings, GMT times with offset)', () => {
      expect(mapWooCommerceOrder(docsOrder())).toEqual({
        ok: true,
        value: {
          externalId: '727',
          placedAt: '2017-03-22T19:28:02+00:00',
          customer: { name: 'John Doe', phone: '(555) 555-5555', email: 'john.doe@example.com' },
          shippingAddress: { province: 'CA', city: 'San Francisco', line1: '969 Market', postalCode: '94103', country: 'US' },
          // each line's total with its tax (6.00 + 0.45 for two: 3.22 and 3.23), so the lines and shipping add up to the 29.35 paid
          lines: [{ sku: 'WC-93', quantity: 1, unitPrice: '3.22' }, { sku: 'WC-93', quantity: 1, unitPrice: '3.23' }, { sku: 'Bar3', quantity: 1, unitPrice: '12.90' }],
          payment: { method: 'bacs', status: 'paid', amount: '29.35', paidAt: '2017-03-22T19:28:08+00:00' },
          shippingFee: '10.00',
        },
      });
    });

    it('a Chinese order: CN12 is 浙江, family name first, billing address when no shipping one, pending until paid', () => {
      expect(mapWooCommerceOrder(chineseOrder())).toEqual({
        ok: true,
        value: {
          externalId: '1088',
          placedAt: '2017-03-22T19:28:02+00:00',
          customer: { name: '张三', phone: '13800138000' },
          shippingAddress: { province: '浙江', city: '杭州市', line1: '文三路100号 3单元501', postalCode: '310000', country: 'CN' },
          // what was paid after the coupon: 59.97 for 3, not the list price 21.99
          lines: [{ sku: 'TEA-001', quantity: 3, unitPrice: '19.99' }],
          payment: { method: 'alipay', status: 'pending', amount: '59.97' },
          shippingFee: '0.00',
          notes: '请工作日送货\nWooCommerce discount 6.00',
        },
      });
    });

    it('set_paid or date_paid makes the order paid even before its status moves', () => {
      const value = mapWooCommerceOrder(chineseOrder({ set_paid: true }));
      expect(value).toMatchObject({ ok: true, value: { payment: { status: 'paid' } } });
    });

    it('a line total that does not divide into whole cents becomes two lines a cent apart, adding up to the total exactly', () => {
      const order = chineseOrder({ customer_note: '', discount_total: '0.00', line_items: [
        { product_id: 5, variation_id: 7, quantity: 3, subtotal: '10.00', total: '10.00', sku: '', price: 3.3333333333333335 },
        { product_id: 6, variation_id: 0, quantity: 3, subtotal: '20.00', total: '20.00', sku: 'TEA-002', price: 6.666666666666667 },
      ] });
      expect(mapWooCommerceOrder(order)).toMatchObject({
        ok: true,
        value: {
          lines: [
            { sku: 'WC-7', quantity: 2, unitPrice: '3.33' }, { sku: 'WC-7', quantity: 1, unitPrice: '3.34' },
            { sku: 'TEA-002', quantity: 1, unitPrice: '6.66' }, { sku: 'TEA-002', quantity: 2, unitPrice: '6.67' },
          ],
        },
      });
    });

    it('without a subtotal the line takes WooCommerce\'s price, read without float noise', () => {
      const order = chineseOrder({ line_items: [{ product_id: 5, quantity: 2, sku: 'TEA-001', price: 21.990000000000002 }] });
      expect(mapWooCommerceOrder(order)).toMatchObject({ ok: true, value: { lines: [{ sku: 'TEA-001', quantity: 2, unitPrice: '21.99' }] } });
    });

    it('an order without id or lines, or with a fractional quantity, is malformed', () => {
      expect(mapWooCommerceOrder(docsOrder({ id: undefined }))).toMatchObject({ ok: false, code: 'payload_malformed' });
      expect(mapWooCommerceOrder(docsOrder({ line_items: [] }))).toMatchObject({ ok: false, code: 'payload_malformed' });
      expect(mapWooCommerceOrder(docsOrder({ line_items: [{ sku: 'A', quantity: 1.5, subtotal: '3.00', price: 2 }] }))).toMatchObject({
        ok: false, reason: expect.stringContaining('line_items[0]'),
      });
    });
  });

  it('the fulfilment back to the store: status completed and a customer note with the tracking, Basic auth', () => {
    const { order, note } = buildWooCommerceFulfilment(
      { baseUrl: 'https://shop.example.com/', consumerKey: 'ck_1', consumerSecret: 'cs_2' },
      '727',
      { carrierName: '顺丰速运', trackingNumber: 'SF1234567890', trackingUrl: 'https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890' },
    );
    expect(order).toEqual({
      method: 'PUT', url: 'https://shop.example.com/wp-json/wc/v3/orders/727',
      headers: { Authorization: `Basic ${Buffer.from('ck_1:cs_2').toString('base64')}`, 'Content-Type': 'application/json' },
      body: '{"status":"completed"}',
    });
    expect(note.url).toBe('https://shop.example.com/wp-json/wc/v3/orders/727/notes');
    expect(JSON.parse(note.body)).toEqual({ note: '顺丰速运 SF1234567890 https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890', customer_note: true });
  });
});
