import {
  decryptWechatPayResource, verifyWechatPayNotification, wechatPayFailureAnswer, wechatPaySuccessAnswer,
} from '../../../src/integrations/providers/wechatpay';
import { apiV3Key, rsaPair, sealWechatPayResource, selfSignedCertificate, signWechatPayBody, wechatPayDelivery, wechatPayTransaction } from './provider-fakes';

/** Issue 15 item 3: WeChat Pay APIv3 支付通知, verified and decrypted as its docs say, against a fake WeChat Pay. */
describe('WeChat Pay APIv3 payment notification', () => {
  const platform = rsaPair();
  const now = new Date('2026-11-25T10:00:00+08:00');
  const key = apiV3Key();
  const settings = { platformCertificate: platform.publicKeyPem, apiV3Key: key };
  const delivery = (overrides: Partial<Parameters<typeof wechatPayDelivery>[0]> = {}) =>
    wechatPayDelivery({ transaction: wechatPayTransaction(), apiV3Key: key, platformPrivateKeyPem: platform.privateKeyPem, at: now, ...overrides });

  it('a genuine notification verifies, decrypts and maps to our payment (fen to yuan, time with offset)', () => {
    const result = verifyWechatPayNotification(delivery(), settings, now);
    expect(result).toEqual({
      ok: true,
      value: {
        deliveryId: 'EV-2018022511223320873',
        paid: true,
        providerStatus: 'SUCCESS',
        payment: { orderRef: 'SO261125000001', amount: '129.00', reference: '4200000848202101120290526543', paidAt: '2018-06-08T10:34:56+08:00' },
      },
    });
  });

  it('the platform key may be configured as the platform certificate (平台证书 PEM)', () => {
    const certificate = selfSignedCertificate(platform);
    expect(verifyWechatPayNotification(delivery(), { ...settings, platformCertificate: certificate }, now).ok).toBe(true);
    const otherCertificate = selfSignedCertificate(rsaPair());
    expect(verifyWechatPayNotification(delivery(), { ...settings, platformCertificate: otherCertificate }, now)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verifyWechatPayNotification(delivery(), { ...settings, platformCertificate: 'not a pem' }, now)).toMatchObject({
      ok: false, code: 'signature_invalid', reason: expect.stringContaining('not a PEM'),
    });
  });

  it('reads headers whatever their case, and checks the merchant and the platform serial when configured', () => {
    const genuine = delivery();
    const shouted = Object.fromEntries(Object.entries(genuine.headers).map(([name, value]) => [name.replace(/(^|-)w/g, (m) => m.toUpperCase()), value]));
    const strict = { ...settings, mchid: '1230000109', platformSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' };
    expect(verifyWechatPayNotification({ ...genuine, headers: shouted }, strict, now).ok).toBe(true);
  });

  it('a body changed after signing is refused as a bad signature', () => {
    const genuine = delivery();
    const tampered = { ...genuine, rawBody: genuine.rawBody.replace('支付成功', '支付成功 ') };
    expect(verifyWechatPayNotification(tampered, settings, now)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a notification signed by another key is refused', () => {
    const forged = wechatPayDelivery({ transaction: wechatPayTransaction(), apiV3Key: key, platformPrivateKeyPem: rsaPair().privateKeyPem, at: now });
    expect(verifyWechatPayNotification(forged, settings, now)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a genuine notification is refused when we hold a different platform key', () => {
    const result = verifyWechatPayNotification(delivery(), { ...settings, platformCertificate: rsaPair().publicKeyPem }, now);
    expect(result).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a signature that is not base64 RSA at all is refused, not thrown', () => {
    const genuine = delivery();
    const result = verifyWechatPayNotification({ ...genuine, headers: { ...genuine.headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' } }, settings, now);
    expect(result).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('a notification more than five minutes old is a replay; five minutes exactly is accepted', () => {
    const old = delivery();
    expect(verifyWechatPayNotification(old, settings, new Date(now.getTime() + 301_000))).toMatchObject({
      ok: false, code: 'timestamp_stale', reason: expect.stringContaining('301 s'),
    });
    expect(verifyWechatPayNotification(old, settings, new Date(now.getTime() + 300_000)).ok).toBe(true);
    expect(verifyWechatPayNotification(delivery({ at: new Date(now.getTime() + 600_000) }), settings, now)).toMatchObject({ ok: false, code: 'timestamp_stale' });
  });

  it('missing headers are refused as an unsigned request', () => {
    const { headers, rawBody } = delivery();
    const { 'wechatpay-signature': _dropped, ...rest } = headers;
    expect(verifyWechatPayNotification({ rawBody, headers: rest }, settings, now)).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('a signature from another platform serial than the configured one is refused', () => {
    const result = verifyWechatPayNotification(delivery({ serial: 'ANOTHER' }), { ...settings, platformSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' }, now);
    expect(result).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringContaining('ANOTHER') });
  });

  it('the wrong APIv3 key cannot decrypt the resource', () => {
    expect(verifyWechatPayNotification(delivery(), { ...settings, apiV3Key: apiV3Key() }, now)).toMatchObject({ ok: false, code: 'decryption_failed' });
  });

  it('an altered ciphertext or associated_data fails the GCM tag even with a valid signature', () => {
    const resource = sealWechatPayResource(JSON.stringify(wechatPayTransaction()), key);
    const flipped = Buffer.from(resource.ciphertext, 'base64');
    flipped[3] ^= 1;
    expect(decryptWechatPayResource({ ...resource, ciphertext: flipped.toString('base64') }, key)).toBeNull();
    expect(decryptWechatPayResource({ ...resource, associated_data: 'refund' }, key)).toBeNull();
    expect(decryptWechatPayResource(resource, key)).toContain('SO261125000001');
    const body = JSON.stringify({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource: { ...resource, ciphertext: flipped.toString('base64') } });
    expect(verifyWechatPayNotification(signWechatPayBody(body, platform.privateKeyPem, now), settings, now)).toMatchObject({ ok: false, code: 'decryption_failed' });
  });

  it('a transaction for another merchant is refused', () => {
    const result = verifyWechatPayNotification(delivery(), { ...settings, mchid: '1900000001' }, now);
    expect(result).toMatchObject({ ok: false, code: 'account_mismatch' });
  });

  it('a transaction that is not SUCCESS is a valid delivery that records no payment', () => {
    const result = verifyWechatPayNotification(delivery({ transaction: wechatPayTransaction({ trade_state: 'NOTPAY', success_time: undefined }) }), settings, now);
    expect(result).toMatchObject({ ok: true, value: { paid: false, providerStatus: 'NOTPAY', payment: { paidAt: null } } });
  });

  it('an amount that is not whole fen is malformed', () => {
    const result = verifyWechatPayNotification(delivery({ transaction: wechatPayTransaction({ amount: { total: 129.5 } }) }), settings, now);
    expect(result).toMatchObject({ ok: false, code: 'payload_malformed' });
  });

  it('answers as the v3 docs ask: 200 SUCCESS stops retries, 4xx FAIL with a message of at most 64 characters', () => {
    expect(wechatPaySuccessAnswer()).toEqual({ status: 200, contentType: 'application/json', body: '{"code":"SUCCESS","message":"成功"}' });
    const failure = wechatPayFailureAnswer('x'.repeat(100));
    expect(failure.status).toBe(401);
    expect(JSON.parse(failure.body)).toEqual({ code: 'FAIL', message: 'x'.repeat(64) });
    expect(wechatPayFailureAnswer('database unavailable', 500).status).toBe(500);
  });
});
