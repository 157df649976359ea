import {
  alipayFailureAnswer, alipaySignContent, alipaySuccessAnswer, parseAlipayNotification, verifyAlipayNotification,
} from '../../../src/integrations/providers/alipay';
import { alipayDelivery, alipayNotificationFields, rsaPair } from './provider-fakes';

/** Issue 15 item 3: Alipay 异步通知 (RSA2), verified with the Alipay public key as its docs say, against a fake Alipay. */
describe('Alipay asynchronous notification', () => {
  const alipay = rsaPair();
  const settings = { alipayPublicKey: alipay.publicKeyBase64, appId: '2015102700040153', sellerId: '2088102169252684' };

  it('the docs\' example notification verifies and maps to our payment (Beijing time with offset)', () => {
    const result = verifyAlipayNotification(alipayDelivery(alipayNotificationFields(), alipay.privateKeyPem), settings);
    expect(result).toEqual({
      ok: true,
      value: {
        deliveryId: '4a91b7a78a503640467525113fb7d8bg8e',
        paid: true,
        providerStatus: 'TRADE_SUCCESS',
        payment: { orderRef: 'SO261125000001', amount: '129.00', reference: '2015112721001004460065339046', paidAt: '2015-11-27T15:45:59+08:00' },
      },
    });
  });

  it('signs the fields sorted, without sign, sign_type and empty values, values decoded once from the form', () => {
    const body = 'total_amount=129.00&subject=%E6%B5%8B%E8%AF%95+%E9%BE%99%E4%BA%95&body=&sign_type=RSA2&sign=abc&a_percent=100%25';
    expect(alipaySignContent(parseAlipayNotification(body)!)).toBe('a_percent=100%&subject=测试 龙井&total_amount=129.00');
  });

  it('a notification with an empty field (which Alipay leaves out of what it signs) still verifies', () => {
    const body = alipayDelivery(alipayNotificationFields({ body: '', passback_params: '' }), alipay.privateKeyPem);
    expect(body).toContain('body=&');
    expect(verifyAlipayNotification(body, settings).ok).toBe(true);
  });

  it('the Alipay public key may be configured as PEM too', () => {
    const body = alipayDelivery(alipayNotificationFields(), alipay.privateKeyPem);
    expect(verifyAlipayNotification(body, { alipayPublicKey: alipay.publicKeyPem }).ok).toBe(true);
  });

  it('TRADE_FINISHED is paid; WAIT_BUYER_PAY and TRADE_CLOSED are valid deliveries that record no payment', () => {
    const finished = verifyAlipayNotification(alipayDelivery(alipayNotificationFields({ trade_status: 'TRADE_FINISHED' }), alipay.privateKeyPem), settings);
    expect(finished).toMatchObject({ ok: true, value: { paid: true } });
    for (const status of ['WAIT_BUYER_PAY', 'TRADE_CLOSED']) {
      const result = verifyAlipayNotification(alipayDelivery(alipayNotificationFields({ trade_status: status, gmt_payment: '' }), alipay.privateKeyPem), settings);
      expect(result).toMatchObject({ ok: true, value: { paid: false, providerStatus: status, payment: { paidAt: null } } });
    }
  });

  it('an amount changed after signing is refused as a bad signature', () => {
    const body = alipayDelivery(alipayNotificationFields(), alipay.privateKeyPem).replace('total_amount=129.00', 'total_amount=1.00');
    expect(verifyAlipayNotification(body, settings)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a field added after signing is refused', () => {
    const body = `${alipayDelivery(alipayNotificationFields(), alipay.privateKeyPem)}&refund_fee=129.00`;
    expect(verifyAlipayNotification(body, settings)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a notification signed with another key, or checked with another public key, is refused', () => {
    const forged = alipayDelivery(alipayNotificationFields(), rsaPair().privateKeyPem);
    expect(verifyAlipayNotification(forged, settings)).toMatchObject({ ok: false, code: 'signature_invalid' });
    const genuine = alipayDelivery(alipayNotificationFields(), alipay.privateKeyPem);
    expect(verifyAlipayNotification(genuine, { alipayPublicKey: rsaPair().publicKeyBase64 })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verifyAlipayNotification(genuine, { alipayPublicKey: 'not a key' })).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringContaining('public key') });
  });

  it('no sign, sign_type RSA (SHA1) and a repeated field are refused with the reason', () => {
    const fields = alipayNotificationFields();
    expect(verifyAlipayNotification(new URLSearchParams(fields).toString(), settings)).toMatchObject({ ok: false, code: 'signature_missing' });
    const rsa1 = alipayDelivery(fields, alipay.privateKeyPem).replace('sign_type=RSA2', 'sign_type=RSA');
    expect(verifyAlipayNotification(rsa1, settings)).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringContaining('only RSA2') });
    const repeated = `${alipayDelivery(fields, alipay.privateKeyPem)}&trade_status=TRADE_SUCCESS`;
    expect(verifyAlipayNotification(repeated, settings)).toMatchObject({ ok: false, code: 'payload_malformed' });
    expect(verifyAlipayNotification('', settings)).toMatchObject({ ok: false, code: 'payload_malformed' });
  });

  it('a genuinely signed notification for another app or seller is refused', () => {
    const otherApp = alipayDelivery(alipayNotificationFields({ app_id: '2021000000000000' }), alipay.privateKeyPem);
    expect(verifyAlipayNotification(otherApp, settings)).toMatchObject({ ok: false, code: 'account_mismatch' });
    const otherSeller = alipayDelivery(alipayNotificationFields({ seller_id: '2088000000000000' }), alipay.privateKeyPem);
    expect(verifyAlipayNotification(otherSeller, settings)).toMatchObject({ ok: false, code: 'account_mismatch' });
  });

  it('an amount or payment time that is not Alipay\'s format is malformed, not guessed', () => {
    const amount = alipayDelivery(alipayNotificationFields({ total_amount: '12.345' }), alipay.privateKeyPem);
    expect(verifyAlipayNotification(amount, settings)).toMatchObject({ ok: false, code: 'payload_malformed' });
    const time = alipayDelivery(alipayNotificationFields({ gmt_payment: '2015-02-30 15:45:59' }), alipay.privateKeyPem);
    expect(verifyAlipayNotification(time, settings)).toMatchObject({ ok: false, code: 'payload_malformed' });
  });

  it('answers the plain text success that stops Alipay retrying, and something else when refusing', () => {
    expect(alipaySuccessAnswer()).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
    expect(alipayFailureAnswer()).toMatchObject({ status: 401, body: 'fail' });
  });
});
