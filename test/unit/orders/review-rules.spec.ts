import { isInMainlandChina, isValidPhone, REVIEW_RULES, reviewOrder, type ReviewSubject } from '../../../src/orders/review-rules';

/** G1.2 review rules and API.md's phone and delivery-area definitions. */
describe('review rules', () => {
  const product = (overrides: Partial<{ name: string; purchaseLimit: number | null; active: boolean }> = {}) => ({
    name: 'Tea',
    purchaseLimit: null,
    active: true,
    ...overrides,
  });
  const subject = (overrides: Partial<ReviewSubject> = {}): ReviewSubject => ({
    customerPhone: '13800138000',
    shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 3 单元 501' },
    paymentStatus: 'paid',
    paymentAmount: '39.80',
    grandTotal: '39.80',
    lines: [{ sku: 'TEA', quantity: 2 }],
    products: new Map([['TEA', product()]]),
    available: new Map([['TEA', 10]]),
    ...overrides,
  });
  const codes = (s: ReviewSubject) => reviewOrder(s).flags.map((flag) => flag.code);
  const address = (overrides: Record<string, unknown>) => ({ ...subject().shippingAddress, ...overrides }) as ReviewSubject['shippingAddress'];

  it('a clean paid order has no flags and is not blocked', () => {
    expect(reviewOrder(subject())).toEqual({ flags: [], blocked: false });
  });

  it('the rules cover every flag code API.md requires', () => {
    expect(REVIEW_RULES.map((rule) => rule.code)).toEqual(
      expect.arrayContaining(['address_incomplete', 'phone_invalid', 'unknown_sku', 'out_of_stock', 'purchase_limit_exceeded', 'outside_delivery_area', 'payment_unconfirmed']),
    );
  });

  describe('phone (mainland mobile 1[3-9]+9 digits with optional +86, landline with area code, E.164 abroad)', () => {
    it.each([
      '13800138000',
      '19912345678',
      '+8613800138000',
      '+86 13800138000',
      '86 13800138000',
      '138 0013 8000',
      '138-0013-8000',
      ' 13800138000 ',
      '010-12345678',
      '01012345678',
      '0571-87654321',
      '(010) 1234-5678',
      '0755 1234567',
      '+86 010 12345678',
      '+14155552671',
      '+852 9123 4567',
      '+44 20 7946 0958',
    ])('"%s" is valid', (phone) => {
      expect(isValidPhone(phone)).toBe(true);
      expect(codes(subject({ customerPhone: phone }))).not.toContain('phone_invalid');
    });

    it.each([
      '12345',
      '',
      '   ',
      '12800138000', // 1 then 2: no mainland mobile prefix
      '1380013800', // 10 digits
      '138001380001', // 12 digits
      '+8612345', // +86 but neither mobile nor landline
      '+86 12800138000',
      '12345678', // landline without area code
      '4155552671', // abroad without +country code
      '+0123456789',
      'call me',
      '1380013800O', // letter O
    ])('"%s" is invalid and flagged phone_invalid (blocking)', (phone) => {
      expect(isValidPhone(phone)).toBe(false);
      const result = reviewOrder(subject({ customerPhone: phone }));
      expect(result.flags).toEqual([{ code: 'phone_invalid', message: expect.stringContaining('not a valid phone number') }]);
      expect(result.blocked).toBe(true);
    });
  });

  describe('delivery area (default: mainland China)', () => {
    it.each([
      ['浙江省', undefined],
      ['北京市', undefined],
      ['上海', 'CN'],
      ['内蒙古自治区', 'China'],
      ['广西壮族自治区', '中国'],
      ['新疆维吾尔自治区', undefined],
      ['黑龙江省', 'cn'],
      ['Zhejiang', undefined],
      ['zhejiang province', 'CN'],
      ['Shaanxi', 'CN'],
      ['Shanxi Sheng', 'CN'],
      ['Beijing Municipality', 'China'],
      ['Beijing City', 'China'],
      ['Inner Mongolia Autonomous Region', 'CN'],
      ['Guangxi Zhuang Autonomous Region', 'CN'],
      ['Ningxia Hui Autonomous Region', 'CN'],
      ['Xinjiang Uygur Autonomous Region', 'CN'],
      ['Tibet', 'CN'],
      ['浙江省', ''],
    ])('province "%s" (country %p) is inside', (province, country) => {
      const a = address({ province, country });
      expect(isInMainlandChina(a)).toBe(true);
      expect(codes(subject({ shippingAddress: a }))).not.toContain('outside_delivery_area');
    });

    it.each([
      ['香港', undefined],
      ['香港特别行政区', 'CN'],
      ['Hong Kong', undefined],
      ['澳门', undefined],
      ['Macau', 'CN'],
      ['台湾', undefined],
      ['台湾省', '中国'],
      ['Taiwan', 'CN'],
      ['浙江省', 'US'],
      ['CA', 'US'],
      ['California', 'USA'],
      ['Tokyo', 'JP'],
    ])('province "%s" (country %p) is outside and flagged outside_delivery_area (blocking)', (province, country) => {
      const a = address({ province, country });
      expect(isInMainlandChina(a)).toBe(false);
      const result = reviewOrder(subject({ shippingAddress: a }));
      expect(result.flags).toEqual([{ code: 'outside_delivery_area', message: expect.stringContaining('outside the delivery area') }]);
      expect(result.blocked).toBe(true);
    });
  });

  describe('address completeness', () => {
    it.each([
      ['an empty street line', { line1: '' }, 'line1'],
      ['a street line of spaces', { line1: '   ' }, 'line1'],
      ['no street line', { line1: undefined }, 'line1'],
      ['a null street line', { line1: null }, 'line1'],
      ['no city', { city: undefined }, 'city'],
      ['an empty province', { province: '' }, 'province'],
    ])('%s is flagged address_incomplete naming the field', (_, overrides, field) => {
      const result = reviewOrder(subject({ shippingAddress: address(overrides) }));
      expect(result.flags).toEqual([{ code: 'address_incomplete', message: expect.stringContaining(field) }]);
      expect(result.blocked).toBe(true);
    });

    it('a street line too short to deliver to is flagged', () => {
      expect(codes(subject({ shippingAddress: address({ line1: '1号' }) }))).toEqual(['address_incomplete']);
    });

    it('a missing province does not also count as outside the delivery area', () => {
      expect(codes(subject({ shippingAddress: address({ province: undefined }) }))).toEqual(['address_incomplete']);
    });
  });

  describe('items', () => {
    it('an unknown sku is flagged unknown_sku naming it once, and is not also out of stock', () => {
      const result = reviewOrder(subject({ lines: [{ sku: 'NOPE', quantity: 1 }, { sku: 'NOPE', quantity: 2 }, { sku: 'TEA', quantity: 1 }] }));
      expect(result.flags).toEqual([{ code: 'unknown_sku', message: 'Unknown or inactive SKU: NOPE' }]);
      expect(result.blocked).toBe(true);
    });

    it('an inactive product counts as unknown', () => {
      expect(codes(subject({ products: new Map([['TEA', product({ active: false })]]) }))).toContain('unknown_sku');
    });

    it('the purchase limit applies to the sum of all lines of the sku', () => {
      const products = new Map([['TEA', product({ purchaseLimit: 3 })]]);
      expect(codes(subject({ products, lines: [{ sku: 'TEA', quantity: 3 }] }))).toEqual([]);
      const over = reviewOrder(subject({ products, lines: [{ sku: 'TEA', quantity: 2 }, { sku: 'TEA', quantity: 2 }] }));
      expect(over.flags).toEqual([{ code: 'purchase_limit_exceeded', message: expect.stringContaining('TEA × 4 (limit 3)') }]);
      expect(over.blocked).toBe(true);
    });

    it('a product without a purchase limit has none', () => {
      expect(codes(subject({ lines: [{ sku: 'TEA', quantity: 5 }], available: new Map([['TEA', 100]]) }))).toEqual([]);
    });

    it('not enough stock (summed over lines) is flagged out_of_stock but does not block: the order waits for restock', () => {
      const result = reviewOrder(subject({ lines: [{ sku: 'TEA', quantity: 6 }, { sku: 'TEA', quantity: 5 }], available: new Map([['TEA', 10]]) }));
      expect(result.flags).toEqual([{ code: 'out_of_stock', message: expect.stringContaining('TEA needs 11, 10 available') }]);
      expect(result.blocked).toBe(false);
    });

    it('no stock at all is out_of_stock, exactly enough is not', () => {
      expect(codes(subject({ available: new Map() }))).toEqual(['out_of_stock']);
      expect(codes(subject({ lines: [{ sku: 'TEA', quantity: 10 }] }))).toEqual([]);
    });

    it('out_of_stock together with a blocking flag blocks', () => {
      const result = reviewOrder(subject({ customerPhone: '123', available: new Map() }));
      expect(result.flags.map((f) => f.code).sort()).toEqual(['out_of_stock', 'phone_invalid']);
      expect(result.blocked).toBe(true);
    });
  });

  it('a pending payment is flagged payment_unconfirmed (blocking)', () => {
    const result = reviewOrder(subject({ paymentStatus: 'pending' }));
    expect(result.flags).toEqual([{ code: 'payment_unconfirmed', message: expect.any(String) }]);
    expect(result.blocked).toBe(true);
  });

  it('a payment short of the (amended) total is flagged payment_unconfirmed with the amount missing; more than enough passes', () => {
    const result = reviewOrder(subject({ paymentAmount: '39.80', grandTotal: '59.70' }));
    expect(result.flags).toEqual([{ code: 'payment_unconfirmed', message: 'Paid 39.80 but the order total is 59.70: ask the customer to pay the 19.90 missing, or amend the order' }]);
    expect(result.blocked).toBe(true);
    expect(reviewOrder(subject({ paymentAmount: '40.00', grandTotal: '39.80' }))).toEqual({ flags: [], blocked: false });
    expect(reviewOrder(subject({ paymentAmount: null }))).toEqual({ flags: [], blocked: false });
  });

  it('every broken rule is flagged at once, each with a human message', () => {
    const result = reviewOrder(
      subject({
        customerPhone: '1',
        paymentStatus: 'pending',
        shippingAddress: { province: '香港', city: '', line1: '' },
        lines: [{ sku: 'NOPE', quantity: 1 }, { sku: 'TEA', quantity: 50 }],
        products: new Map([['TEA', product({ purchaseLimit: 5 })]]),
      }),
    );
    expect(result.flags.map((f) => f.code).sort()).toEqual(
      ['address_incomplete', 'outside_delivery_area', 'out_of_stock', 'payment_unconfirmed', 'phone_invalid', 'purchase_limit_exceeded', 'unknown_sku'].sort(),
    );
    for (const flag of result.flags) expect(flag.message.length).toBeGreaterThan(10);
    expect(result.blocked).toBe(true);
  });
});
