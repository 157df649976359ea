import { createDecipheriv, createPublicKey, createVerify, type KeyObject, X509Certificate } from 'node:crypto';
import {
  accepted, asRecord, type Checked, headerValue, type IncomingHeaders, isoWithOffset, moneyFromFen, parseJsonObject, type PaymentNotice,
  type ProviderAnswer, refused, text,
} from './provider-types';

/**
 * WeChat Pay API v3 payment notifications (微信支付 APIv3 支付结果通知, issue 15 item 3).
 * Docs: pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml (签名验证), wechatpay4_2.shtml (回调报文解密),
 * apis/chapter3_3_5.shtml (支付通知: payload and the answer). Checked against wechatpay-node-v3 (klover2/wechatpay-node-v3-ts,
 * `verifySign` and `decipher_gcm`) and wechatpay-php's notify example (5-minute timestamp window).
 */

export interface WechatPaySettings {
  /** The WeChat Pay platform certificate (平台证书) or platform public key (微信支付公钥), PEM. */
  platformCertificate: string;
  /** Its serial (Wechatpay-Serial names the key that signed); when set, a notification signed by another key is refused. */
  platformSerial?: string;
  /** The APIv3 key (APIv3密钥): 32 characters, the AES-256-GCM key of `resource`. */
  apiV3Key: string;
  /** Our merchant id; when set, a transaction for another merchant is refused. */
  mchid?: string;
}

/** WeChat Pay allows five minutes between its timestamp and our clock; older (or further ahead) is a replay. */
export const WECHATPAY_MAX_CLOCK_SKEW_SECONDS = 300;
const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const GCM_TAG_BYTES = 16;

/** The text WeChat Pay signs: timestamp, nonce and body, each followed by "\n" (签名验证, 构造验签名串). */
export function wechatPayMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/**
 * Checks a payment notification and reads the transaction it carries: signature (RSA-SHA256 with the platform key over
 * the raw body), freshness of Wechatpay-Timestamp, then AEAD_AES_256_GCM decryption of `resource` with the APIv3 key.
 * `rawBody` must be the bytes as received (re-serialised JSON does not verify).
 */
export function verifyWechatPayNotification(
  request: { headers: IncomingHeaders; rawBody: string },
  settings: WechatPaySettings,
  now: Date = new Date(),
): Checked<PaymentNotice> {
  const timestamp = headerValue(request.headers, 'Wechatpay-Timestamp');
  const nonce = headerValue(request.headers, 'Wechatpay-Nonce');
  const signature = headerValue(request.headers, 'Wechatpay-Signature');
  const serial = headerValue(request.headers, 'Wechatpay-Serial');
  const signatureType = headerValue(request.headers, 'Wechatpay-Signature-Type');
  if (!timestamp || !nonce || !signature) {
    return refused('signature_missing', 'Wechatpay-Timestamp, Wechatpay-Nonce and Wechatpay-Signature headers are required');
  }
  if (signatureType && signatureType !== SIGNATURE_TYPE) {
    return refused('signature_invalid', `unsupported Wechatpay-Signature-Type ${signatureType}`);
  }
  if (settings.platformSerial && serial && serial !== settings.platformSerial) {
    return refused('signature_invalid', `signed with platform key ${serial}, not the configured ${settings.platformSerial}`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) return refused('timestamp_stale', 'Wechatpay-Timestamp is not a Unix time in seconds');
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > WECHATPAY_MAX_CLOCK_SKEW_SECONDS) {
    return refused('timestamp_stale', `Wechatpay-Timestamp is ${skew} s away from our clock (at most ${WECHATPAY_MAX_CLOCK_SKEW_SECONDS} s)`);
  }

  const key = platformKey(settings.platformCertificate);
  if (!key) return refused('signature_invalid', 'the configured platform certificate is not a PEM certificate or public key');
  const verified = createVerify('RSA-SHA256').update(wechatPayMessage(timestamp, nonce, request.rawBody), 'utf8').verify(key, signature, 'base64');
  if (!verified) return refused('signature_invalid', 'Wechatpay-Signature does not match the body with the platform key');

  const body = parseJsonObject(request.rawBody);
  if (!body) return refused('payload_malformed', 'the body is not a JSON object');
  const resource = asRecord(body.resource);
  if (resource.algorithm !== 'AEAD_AES_256_GCM') return refused('payload_malformed', `resource.algorithm is ${text(resource.algorithm) || 'missing'}, not AEAD_AES_256_GCM`);
  const plain = decryptWechatPayResource(
    { ciphertext: text(resource.ciphertext), nonce: text(resource.nonce), associated_data: text(resource.associated_data) },
    settings.apiV3Key,
  );
  if (plain === null) return refused('decryption_failed', 'resource could not be decrypted with the APIv3 key (wrong key or altered ciphertext)');
  const transaction = parseJsonObject(plain);
  if (!transaction) return refused('payload_malformed', 'the decrypted resource is not a JSON object');
  if (settings.mchid && text(transaction.mchid) !== settings.mchid) {
    return refused('account_mismatch', `the transaction is for merchant ${text(transaction.mchid) || '(none)'}, not ${settings.mchid}`);
  }
  return mapWechatPayTransaction(text(body.id), text(body.event_type), transaction);
}

/**
 * AEAD_AES_256_GCM as WeChat Pay uses it (回调报文解密): key = the APIv3 key's 32 bytes, IV = `nonce` (its UTF-8 bytes),
 * AAD = `associated_data`, and `ciphertext` base64 with the 16-byte tag at its end. Null when authentication fails.
 */
export function decryptWechatPayResource(
  resource: { ciphertext: string; nonce: string; associated_data?: string },
  apiV3Key: string,
): string | null {
  const key = Buffer.from(apiV3Key, 'utf8');
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (key.length !== 32 || !resource.nonce || sealed.length <= GCM_TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * The decrypted transaction (支付通知 resource, original_type "transaction") as our payment: out_trade_no is our order,
 * amount.total is in fen, success_time is RFC 3339 with +08:00. Paid only on TRANSACTION.SUCCESS with trade_state SUCCESS.
 */
export function mapWechatPayTransaction(notificationId: string, eventType: string, transaction: Record<string, unknown>): Checked<PaymentNotice> {
  const orderRef = text(transaction.out_trade_no);
  const reference = text(transaction.transaction_id);
  const tradeState = text(transaction.trade_state);
  const total = asRecord(transaction.amount).total;
  if (!orderRef || !reference || !tradeState) return refused('payload_malformed', 'the transaction has no out_trade_no, transaction_id or trade_state');
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) return refused('payload_malformed', 'amount.total is not a whole number of fen');
  const paid = tradeState === 'SUCCESS' && (eventType === '' || eventType === 'TRANSACTION.SUCCESS');
  const paidAt = isoWithOffset(transaction.success_time);
  if (paid && !paidAt) return refused('payload_malformed', 'success_time is not an ISO 8601 time with offset');
  return accepted({
    deliveryId: notificationId || reference,
    paid,
    providerStatus: tradeState,
    payment: { orderRef, amount: moneyFromFen(total), reference, paidAt },
  });
}

/** 接收成功: 200 (or 204); the body is optional in the current docs, the older ones asked for {"code":"SUCCESS"}, so send it. */
export function wechatPaySuccessAnswer(): ProviderAnswer {
  return { status: 200, contentType: 'application/json', body: JSON.stringify({ code: 'SUCCESS', message: '成功' }) };
}

/** 接收失败: 4XX/5XX with {code: "FAIL", message} (message at most 64 characters); WeChat Pay then retries. */
export function wechatPayFailureAnswer(message: string, status = 401): ProviderAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: message.slice(0, 64) }) };
}

function platformKey(pem: string): KeyObject | null {
  try {
    return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    return null;
  }
}
