import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrationsKeyBytes } from '../../../src/config/config.schema';
import { mapShopifyOrder, verifyShopifySignature } from '../../../src/integrations/providers/shopify';
import { parseJsonKeepingLongIntegers } from '../../../src/integrations/raw-json';
import { SecretBox } from '../../../src/integrations/secret-box';

const SAMPLE_TEXT = readFileSync(join(__dirname, '../../fixtures/shopify-order-create.json'), 'utf8');

describe('Shopify webhook signature (X-Shopify-Hmac-Sha256)', () => {
  const secret = 'hush';
  const body = Buffer.from('{"id":1}');
  const good = createHmac('sha256', secret).update(body).digest('base64');

  it('accepts base64 HMAC-SHA256 of the exact bytes with the secret, and nothing else', () => {
    expect(verifyShopifySignature(body, good, secret)).toBe(true);
    expect(verifyShopifySignature(Buffer.from('{"id": 1}'), good, secret)).toBe(false);
    expect(verifyShopifySignature(body, good, 'other')).toBe(false);
    expect(verifyShopifySignature(body, undefined, secret)).toBe(false);
    expect(verifyShopifySignature(body, '', secret)).toBe(false);
    expect(verifyShopifySignature(body, createHmac('sha256', secret).update(body).digest('hex'), secret)).toBe(false);
    expect(verifyShopifySignature(body, good.slice(0, 20), secret)).toBe(false);
    expect(verifyShopifySignature(body, good, '')).toBe(false);
  });
});

describe('parseJsonKeepingLongIntegers', () => {
  it('keeps 64-bit ids exact as text and reads everything else as JSON.parse does', () => {
    expect(parseJsonKeepingLongIntegers('{"id":820982911946154508,"n":12,"f":-1.5e3,"s":"820982911946154508 \\" 9007199254740993","a":[1234567890123456789]}')).toEqual({
      id: '820982911946154508', n: 12, f: -1500, s: '820982911946154508 " 9007199254740993', a: ['1234567890123456789'],
    });
    expect(() => parseJsonKeepingLongIntegers('{"id": 1,')).toThrow();
  });
});

describe('mapShopifyOrder (Shopify order JSON → POST /api/orders)', () => {
  const sample = parseJsonKeepingLongIntegers(SAMPLE_TEXT) as Record<string, unknown>;

  it('maps the documented sample: customer, address, lines, payment, shipping; no unknown field passes through', () => {
    expect(mapShopifyOrder(sample, 'shopify-main')).toEqual({
      channel: 'shopify-main',
      externalId: '820982911946154508',
      placedAt: '2021-12-31T19:00:00-05:00',
      customer: { name: 'Steve Shipper', phone: '555-555-SHIP', email: 'jon@example.com', locale: 'en' },
      shippingAddress: { province: 'Kentucky', city: 'Shippington', line1: '123 Shipping Street', postalCode: '40003', country: 'US' },
      lines: [
        { sku: 'IPOD2008PINK', quantity: 1, unitPrice: '199.00' },
        { sku: 'IPOD2008BLACK', quantity: 1, unitPrice: '199.00' },
      ],
      payment: { method: 'shopify', status: 'pending' },
      shippingFee: '10.00',
      notes: 'Shopify #9999 · currency USD',
    });
  });

  it('paid: amount = total_price as two places; phone falls back to the order\'s; address2 joins line1; a line without SKU is kept for a person to match', () => {
    const mapped = mapShopifyOrder({
      ...sample,
      financial_status: 'paid', total_price: '58.5', phone: '+8613800138000', customer_locale: 'zh-CN',
      shipping_address: { name: '张三', province: '浙江省', city: '杭州市', address1: '文三路 100 号', address2: '3 单元 501', zip: '310000', country_code: 'CN' },
      line_items: [{ sku: '', variant_id: 808950810, quantity: 3, price: '19.5' }],
    }, 'shop');
    expect(mapped).toMatchObject({
      customer: { name: '张三', phone: '+8613800138000', locale: 'zh-CN' },
      shippingAddress: { line1: '文三路 100 号 3 单元 501', country: 'CN' },
      lines: [{ sku: 'SHOPIFY-808950810', quantity: 3, unitPrice: '19.50' }],
      payment: { method: 'shopify', status: 'paid', amount: '58.50', paidAt: '2021-12-31T19:00:00-05:00' },
    });
  });

  it('discounts: each line is what was paid for it (price less its discount allocations), split a cent apart when it does not divide, so the lines and shipping add up to total_price', () => {
    // a 10 % code on 3 × 33.30 (allocation 9.99) and an order-level 5.00 allocated to the second line; shipping discounted to 0
    const mapped = mapShopifyOrder({
      ...sample,
      financial_status: 'paid', total_price: '104.91', total_discounts: '14.99', taxes_included: true,
      line_items: [
        { sku: 'TEA-1', quantity: 3, price: '33.30', discount_allocations: [{ amount: '9.99', discount_application_index: 0 }] },
        { sku: 'CUP-1', quantity: 1, price: '20.00', discount_allocations: [{ amount: '5.00', discount_application_index: 1 }] },
      ],
      shipping_lines: [{ price: '10.00', discounted_price: '0.00', title: 'Free shipping' }],
    }, 'shop');
    expect(mapped).toMatchObject({
      lines: [{ sku: 'TEA-1', quantity: 3, unitPrice: '29.97' }, { sku: 'CUP-1', quantity: 1, unitPrice: '15.00' }],
      shippingFee: '0.00',
      payment: { status: 'paid', amount: '104.91' },
      notes: 'Shopify #9999 · currency USD · discount 14.99',
    });
    const lines = mapped.lines as Array<{ quantity: number; unitPrice: string }>;
    expect(lines.reduce((sum, line) => sum + line.quantity * Math.round(Number(line.unitPrice) * 100), 0)).toBe(10491);

    // prices before tax (taxes_included false): the line's and the shipping's tax lines are part of what was paid
    const taxed = mapShopifyOrder({
      ...sample,
      financial_status: 'paid', total_price: '33.00', total_discounts: '1.00', taxes_included: false,
      line_items: [{ sku: 'TEA-1', quantity: 3, price: '9.00', discount_allocations: [{ amount: '1.00' }], tax_lines: [{ price: '2.60', rate: 0.1 }] }],
      shipping_lines: [{ price: '4.00', discounted_price: '4.00', tax_lines: [{ price: '0.40' }] }],
    }, 'shop');
    // 27.00 − 1.00 + 2.60 = 28.60 for three: 9.53, 9.53, 9.54
    expect(taxed).toMatchObject({
      lines: [{ sku: 'TEA-1', quantity: 2, unitPrice: '9.53' }, { sku: 'TEA-1', quantity: 1, unitPrice: '9.54' }],
      shippingFee: '4.40',
      payment: { amount: '33.00' },
    });
  });

  it('survives a sparse order: no address, no customer, odd values are left for the intake to judge', () => {
    const mapped = mapShopifyOrder({ id: 5, line_items: [{ sku: 'A', quantity: 1, price: 'abc' }], email: 'not an email' }, 'shop');
    expect(mapped).toMatchObject({
      externalId: '5',
      customer: { name: 'not an email', phone: '' },
      shippingAddress: { province: '', city: '', line1: '' },
      lines: [{ sku: 'A', quantity: 1, unitPrice: 'abc' }],
    });
    expect(mapped.customer).not.toHaveProperty('email');
  });
});

describe('SecretBox (AES-256-GCM) and INTEGRATIONS_KEY', () => {
  it('opens what it sealed for the same connector only, with the same key only', () => {
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const sealed = box.seal({ webhookSecret: 'shh' }, 'a');
    expect(sealed).not.toContain('shh');
    expect(box.open(sealed, 'a')).toEqual({ webhookSecret: 'shh' });
    expect(() => box.open(sealed, 'b')).toThrow(/do not open/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'a')).toThrow(/another INTEGRATIONS_KEY/);
    const [v, id, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, id, iv, tag, flipped.toString('base64url')].join('.'), 'a')).toThrow(/do not open/);
  });

  it('takes 32 bytes as hex or base64, nothing else', () => {
    const key = randomBytes(32);
    expect(integrationsKeyBytes(key.toString('hex'))).toEqual(key);
    expect(integrationsKeyBytes(key.toString('base64'))).toEqual(key);
    expect(integrationsKeyBytes(key.toString('base64url'))).toEqual(key);
    expect(integrationsKeyBytes(randomBytes(16).toString('hex'))).toBeNull();
    expect(integrationsKeyBytes('correct horse battery staple correct horse battery')).toBeNull();
  });
});
