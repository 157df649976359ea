import { createCipheriv, createHash, createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * The providers' side of each signature scheme, written from their documentation independently of
 * src/integrations/providers (so a mistake there is not repeated here): keys are generated per test.
 */

export interface RsaPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** The public key as Alipay's console shows it: one base64 line, no PEM armour. */
  publicKeyBase64: string;
}

export function rsaPair(): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

function rsaSha256(message: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyPem, 'base64');
}

/** WeChat Pay's APIv3 key: 32 characters set in the merchant platform. */
export function apiV3Key(): string {
  return randomBytes(16).toString('hex');
}

/** 回调报文解密, the other way: AES-256-GCM, nonce as IV, associated_data as AAD, tag appended, base64. */
export function sealWechatPayResource(plain: string, key: string, nonce = randomBytes(6).toString('hex'), associatedData = 'transaction') {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), associated_data: associatedData, nonce };
}

/** A WeChat Pay notification as its servers send it: body and the Wechatpay-* headers signed over "ts\nnonce\nbody\n". */
export function wechatPayDelivery(options: { transaction: object; apiV3Key: string; platformPrivateKeyPem: string; at: Date; serial?: string; eventType?: string }) {
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2018-06-08T10:34:56+08:00',
    resource_type: 'encrypt-resource',
    event_type: options.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: sealWechatPayResource(JSON.stringify(options.transaction), options.apiV3Key),
  });
  return signWechatPayBody(body, options.platformPrivateKeyPem, options.at, options.serial);
}

export function signWechatPayBody(body: string, platformPrivateKeyPem: string, at: Date, serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1') {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = randomBytes(16).toString('hex');
  return {
    rawBody: body,
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': serial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'wechatpay-signature': rsaSha256(`${timestamp}\n${nonce}\n${body}\n`, platformPrivateKeyPem),
    } as Record<string, string>,
  };
}

/** The transaction of the docs' 支付通知 example (amount in fen). */
export function wechatPayTransaction(overrides: Record<string, unknown> = {}) {
  return {
    transaction_id: '4200000848202101120290526543',
    amount: { payer_total: 12900, total: 12900, currency: 'CNY', payer_currency: 'CNY' },
    mchid: '1230000109',
    trade_state: 'SUCCESS',
    bank_type: 'CMC',
    success_time: '2018-06-08T10:34:56+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    out_trade_no: 'SO261125000001',
    appid: 'wxd678efh567hg6787',
    trade_state_desc: '支付成功',
    trade_type: 'JSAPI',
    attach: '',
    ...overrides,
  };
}

/**
 * An Alipay asynchronous notification, signed as Alipay does (自行实现验签, the other way round): drop sign and
 * sign_type and empty values, sort, k=v&..., SHA256withRSA; then form-encoded.
 */
export function alipayDelivery(fields: Record<string, string>, alipayPrivateKeyPem: string): string {
  const content = Object.entries(fields)
    .filter(([key, value]) => key !== 'sign' && key !== 'sign_type' && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return new URLSearchParams({ ...fields, sign_type: 'RSA2', sign: rsaSha256(content, alipayPrivateKeyPem) }).toString();
}

/** The docs' example notification (电脑网站支付 异步通知), with our order and amount. */
export function alipayNotificationFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    gmt_create: '2015-11-27 15:45:58',
    charset: 'utf-8',
    gmt_payment: '2015-11-27 15:45:59',
    notify_time: '2015-11-27 15:45:59',
    subject: '测试 龙井 250g',
    buyer_id: '2088102169481075',
    invoice_amount: '129.00',
    version: '1.0',
    notify_id: '4a91b7a78a503640467525113fb7d8bg8e',
    fund_bill_list: '[{"amount":"129.00","fundChannel":"ALIPAYACCOUNT"}]',
    notify_type: 'trade_status_sync',
    out_trade_no: 'SO261125000001',
    total_amount: '129.00',
    trade_status: 'TRADE_SUCCESS',
    trade_no: '2015112721001004460065339046',
    auth_app_id: '2015102700040153',
    receipt_amount: '129.00',
    point_amount: '0.00',
    app_id: '2015102700040153',
    buyer_pay_amount: '129.00',
    seller_id: '2088102169252684',
    ...overrides,
  };
}

/** A Kuaidi100 push: form fields param (the JSON) and sign = upper MD5(param + salt). */
export function kuaidi100Delivery(param: object, salt: string): string {
  const json = JSON.stringify(param);
  return new URLSearchParams({ param: json, sign: createHash('md5').update(json + salt, 'utf8').digest('hex').toUpperCase() }).toString();
}

export function wooCommerceDelivery(order: object, secret: string, topic = 'order.created') {
  const rawBody = JSON.stringify(order);
  return {
    rawBody,
    headers: {
      'x-wc-webhook-source': 'https://shop.example.com/',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': topic.split('.')[1],
      'x-wc-webhook-signature': createHmac('sha256', secret).update(rawBody, 'utf8').digest('base64'),
      'x-wc-webhook-id': '12',
      'x-wc-webhook-delivery-id': '8f3f6c1e0d7c4',
    } as Record<string, string>,
  };
}

/**
 * A self-signed X.509 certificate for a generated key, in PEM: WeChat Pay's 平台证书 form of the platform key. Node can
 * read certificates but not make them, so this writes the few DER structures RFC 5280 needs.
 */
export function selfSignedCertificate(pair: RsaPair, commonName = 'Tenpay.com Root CA'): string {
  const length = (n: number) => (n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]));
  const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
  const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
  const sha256WithRsa = sequence(Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.from('0500', 'hex'));
  const name = sequence(tlv(0x31, sequence(Buffer.from('0603550403', 'hex'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const validity = sequence(tlv(0x17, Buffer.from('200101000000Z')), tlv(0x17, Buffer.from('491231235959Z')));
  const spki = Buffer.from(pair.publicKeyBase64, 'base64');
  const tbs = sequence(Buffer.from('a003020102', 'hex'), Buffer.from('020101', 'hex'), sha256WithRsa, name, validity, name, spki);
  const signature = createSign('RSA-SHA256').update(tbs).sign(pair.privateKeyPem);
  const der = sequence(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}
