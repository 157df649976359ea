import { createHash, createHmac } from 'node:crypto';
import {
  buildTopCredentialsCheck, buildTopOrdersPoll, buildTopRequest, buildTopWaybillSendBack, isClosedTopTrade, mapTopTrade, parseTopResponse,
  readTopOrdersPage, readTopSeller, TOP_POLL_DEFAULTS, topPollSettingsOf, topSettingProblems, topSettingsOf, topSign, topTimestamp,
} from '../../../src/integrations/providers/taobao';

/** What TOP's gateway does with a request: recompute the signature from the form (API调用方法详解, 签名算法). */
function gatewayAccepts(body: string, secret: string): boolean {
  const form = Object.fromEntries(new URLSearchParams(body));
  const joined = Object.keys(form).filter((key) => key !== 'sign' && form[key] !== '').sort().map((key) => key + form[key]).join('');
  const expected = form.sign_method === 'md5'
    ? createHash('md5').update(secret + joined + secret).digest('hex')
    : createHmac(form.sign_method === 'hmac' ? 'md5' : 'sha256', secret).update(joined).digest('hex');
  return expected.toUpperCase() === form.sign;
}

/** One page of taobao.trades.sold.increment.get as TOP writes it: tid and oid are bare 64-bit numbers. */
const PAGE = `{"trades_sold_increment_get_response":{"total_results":1,"has_next":true,"trades":{"trade":[{"tid":2231958349135872035,
"status":"WAIT_SELLER_SEND_GOODS","payment":"258.00","post_fee":"0.00","created":"2026-11-25 10:21:05","pay_time":"2026-11-25 10:21:30",
"modified":"2026-11-25 10:21:30","buyer_message":"尽快发货","receiver_name":"张三","receiver_mobile":"13800138000","receiver_state":"浙江省",
"receiver_city":"杭州市","receiver_district":"西湖区","receiver_town":"文新街道","receiver_address":"文三路100号3单元501","receiver_zip":"310000",
"orders":{"order":[{"oid":2231958349136872035,"num_iid":612345678901,"outer_iid":"TEA","outer_sku_id":"TEA-001","num":2,"price":"139.00",
"payment":"258.00","title":"西湖龙井 250g"}]}}]},"request_id":"16k4aqxo8ihmz"}}`;

const TOP_GATEWAY_EXAMPLE = 'https://eco.taobao.com/router/rest';

/** Issue 15 item 2: Taobao/Tmall open platform (TOP) — signed polling by update time, waybill send-back, trade mapping. */
describe('Taobao open platform (TOP)', () => {
  const settings = { appKey: '12345678', appSecret: 'helloworld', session: 'test' };
  const now = new Date('2026-11-25T02:30:00Z');

  it('signs the docs\' example exactly: MD5(secret + sorted key+value + secret), upper-case hex', () => {
    const params = {
      method: 'taobao.item.seller.get', app_key: '12345678', session: 'test', timestamp: '2016-01-01 12:00:00', format: 'json', v: '2.0',
      sign_method: 'md5', fields: 'num_iid,title,nick,price,num', num_iid: '11223344',
    };
    expect(topSign(params, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
  });

  it('HMAC-MD5 and HMAC-SHA256 are keyed with the secret over the same text; empty values are left out', () => {
    const params = { b: '2', a: '1', empty: '' };
    expect(topSign(params, 's', 'hmac')).toBe(createHmac('md5', 's').update('a1b2').digest('hex').toUpperCase());
    expect(topSign(params, 's', 'hmac-sha256')).toBe(createHmac('sha256', 's').update('a1b2').digest('hex').toUpperCase());
    expect(topSign({ ...params, sign: 'OLD' }, 's', 'md5')).toBe(createHash('md5').update('sa1b2s').digest('hex').toUpperCase());
  });

  it('the timestamp is Beijing time, as TOP requires', () => {
    expect(topTimestamp(new Date('2026-11-25T16:30:05Z'))).toBe('2026-11-26 00:30:05');
  });

  it('polls one day of updated trades with a request the gateway accepts', () => {
    const request = buildTopOrdersPoll({ from: new Date('2026-11-25T01:00:00Z'), to: new Date('2026-11-25T02:00:00Z'), page: 2 }, settings, now);
    expect(request).toMatchObject({ method: 'POST', url: 'https://eco.taobao.com/router/rest' });
    const form = Object.fromEntries(new URLSearchParams(request.body));
    expect(form).toMatchObject({
      method: 'taobao.trades.sold.increment.get', app_key: '12345678', session: 'test', timestamp: '2026-11-25 10:30:00', v: '2.0',
      sign_method: 'hmac-sha256', start_modified: '2026-11-25 09:00:00', end_modified: '2026-11-25 10:00:00', page_no: '2', use_has_next: 'true',
    });
    expect(form.fields).toContain('orders.outer_sku_id');
    expect(gatewayAccepts(request.body, 'helloworld')).toBe(true);
    expect(gatewayAccepts(request.body, 'another-secret')).toBe(false);
    const md5 = buildTopRequest('taobao.time.get', {}, { ...settings, signMethod: 'md5' }, now);
    expect(gatewayAccepts(md5.body, 'helloworld')).toBe(true);
    expect(() => buildTopOrdersPoll({ from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z'), page: 1 }, settings)).toThrow('one day');
  });

  it('a request altered after signing no longer verifies at the gateway', () => {
    const request = buildTopWaybillSendBack({ tid: '2231958349135872035', carrier: 'sf', trackingNumber: 'SF1234567890' }, settings, now);
    expect(gatewayAccepts(request.body.replace('SF1234567890', 'SF0000000000'), 'helloworld')).toBe(false);
  });

  it('sends the waybill back with TOP\'s company code and the exact tid', () => {
    const request = buildTopWaybillSendBack({ tid: '2231958349135872035', carrier: 'sf', trackingNumber: 'SF1234567890' }, settings, now);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toMatchObject({
      method: 'taobao.logistics.offline.send', tid: '2231958349135872035', out_sid: 'SF1234567890', company_code: 'SF',
    });
    expect(gatewayAccepts(request.body, 'helloworld')).toBe(true);
  });

  it('reads a page keeping 64-bit ids exact, and refuses an error_response with its codes', () => {
    const page = readTopOrdersPage(PAGE);
    expect(page.ok && page.value.hasNext).toBe(true);
    expect(page.ok && page.value.trades[0].tid).toBe('2231958349135872035');
    expect(String(JSON.parse(PAGE).trades_sold_increment_get_response.trades.trade[0].tid)).not.toBe('2231958349135872035');
    const error = parseTopResponse('{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey","request_id":"x"}}');
    expect(error).toMatchObject({ ok: false, reason: 'TOP error 27 Invalid session invalid-sessionkey' });
    expect(parseTopResponse('<html>')).toMatchObject({ ok: false, code: 'payload_malformed' });
  });

  it('maps a paid trade to our intake body: tid as externalId, 商家编码 as sku, Beijing times with offset', () => {
    const page = readTopOrdersPage(PAGE);
    if (!page.ok) throw new Error(page.reason);
    expect(mapTopTrade(page.value.trades[0])).toEqual({
      ok: true,
      value: {
        externalId: '2231958349135872035',
        placedAt: '2026-11-25T10:21:05+08:00',
        customer: { name: '张三', phone: '13800138000' },
        shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文新街道 文三路100号3单元501', postalCode: '310000', country: 'CN' },
        lines: [{ sku: 'TEA-001', quantity: 2, unitPrice: '129.00' }],
        payment: { method: 'alipay', status: 'paid', amount: '258.00', paidAt: '2026-11-25T10:21:30+08:00' },
        shippingFee: '0.00',
        notes: '尽快发货',
      },
    });
  });

  it('an unpaid trade is pending; a sub-order whose payment does not divide becomes two lines a cent apart, adding up to what was paid', () => {
    const trade = {
      tid: '1', status: 'WAIT_BUYER_PAY', payment: '100.00', created: '2026-11-25 10:21:05',
      orders: { order: [{ outer_iid: 'GIFT', num: 3, price: '40.00', payment: '100.00' }] },
    };
    expect(mapTopTrade(trade)).toMatchObject({
      ok: true,
      value: { payment: { status: 'pending', amount: '100.00' }, lines: [{ sku: 'GIFT', quantity: 2, unitPrice: '33.33' }, { sku: 'GIFT', quantity: 1, unitPrice: '33.34' }] },
    });
    expect(mapTopTrade(trade)).not.toMatchObject({ value: { notes: expect.anything() } });
    expect(mapTopTrade({ ...trade, orders: { order: [] } })).toMatchObject({ ok: false, code: 'payload_malformed' });
    expect(mapTopTrade({ ...trade, tid: '' })).toMatchObject({ ok: false, code: 'payload_malformed' });
  });

  it('a connector\'s settings and secrets become the signed call\'s: the credentials check signs taobao.user.seller.get with all three', () => {
    const top = topSettingsOf({ appKey: '12345678', gateway: 'http://127.0.0.1:9/router/rest', signMethod: 'md5' }, { appSecret: 'helloworld', sessionKey: 'test' });
    expect(top).toEqual({ appKey: '12345678', appSecret: 'helloworld', session: 'test', signMethod: 'md5', gateway: 'http://127.0.0.1:9/router/rest' });
    expect(topSettingsOf({ appKey: '1', signMethod: 'sha1' }, {})).toMatchObject({ signMethod: undefined, gateway: undefined, appSecret: '', session: '' });
    const request = buildTopCredentialsCheck(top, now);
    expect(request.url).toBe('http://127.0.0.1:9/router/rest');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toMatchObject({ method: 'taobao.user.seller.get', fields: 'nick', session: 'test', sign_method: 'md5' });
    expect(gatewayAccepts(request.body, 'helloworld')).toBe(true);
    expect(readTopSeller('{"user_seller_get_response":{"user":{"nick":"茶叶小店"}}}')).toEqual({ ok: true, value: '茶叶小店' });
    expect(readTopSeller('{"error_response":{"code":25,"msg":"Invalid signature"}}')).toMatchObject({ ok: false, reason: 'TOP error 25 Invalid signature' });
  });

  it('optional settings: defaults when unset, and what is wrong with each of the wrong form', () => {
    expect(topPollSettingsOf({})).toEqual(TOP_POLL_DEFAULTS);
    expect(topPollSettingsOf({ pollIntervalSeconds: 5, pollOverlapSeconds: 0, initialSyncHours: 72 })).toEqual({ pollIntervalSeconds: 5, pollOverlapSeconds: 0, initialSyncHours: 72 });
    expect(topSettingProblems({ gateway: TOP_GATEWAY_EXAMPLE, signMethod: 'hmac', pollIntervalSeconds: 1, pollOverlapSeconds: 3600, initialSyncHours: 2160 })).toEqual([]);
    const paths = topSettingProblems({
      gateway: 'javascript:alert(1)', signMethod: 'SHA1', pollIntervalSeconds: 0.5, pollOverlapSeconds: -1, initialSyncHours: '24',
    }).map((problem) => problem.path);
    expect(paths).toEqual(['settings.gateway', 'settings.signMethod', 'settings.pollIntervalSeconds', 'settings.pollOverlapSeconds', 'settings.initialSyncHours']);
  });

  it('closed trades (unpaid and closed, or refunded in full) are told apart from the ones to take', () => {
    expect(isClosedTopTrade({ status: 'TRADE_CLOSED_BY_TAOBAO' })).toBe(true);
    expect(isClosedTopTrade({ status: 'TRADE_CLOSED' })).toBe(true);
    expect(isClosedTopTrade({ status: 'WAIT_BUYER_PAY' })).toBe(false);
    expect(isClosedTopTrade({ status: 'WAIT_SELLER_SEND_GOODS' })).toBe(false);
  });
});
