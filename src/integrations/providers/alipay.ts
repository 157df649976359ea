import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import {
  accepted, type Checked, isoFromBeijingTime, moneyFromDecimal, type PaymentNotice, type ProviderAnswer, refused,
} from './provider-types';

/**
 * Alipay asynchronous notifications (支付宝异步通知, issue 15 item 3).
 * Docs: opendocs.alipay.com/open/203/105286 (电脑网站支付 异步通知说明: the fields, the 验签 steps, answer "success"),
 * opendocs.alipay.com/common/02mse7 (自行实现验签: drop sign and sign_type, sort, join k=v with &, SHA256withRSA).
 *
 * Why node:crypto and not alipay-sdk (4.14.0): its checkNotifySign/checkNotifySignV2 keep empty-valued parameters in the
 * signed text, while Alipay's own signer (and its Java SDK's getSignContent) leaves them out, so a real notification
 * with an empty field fails to verify; it also insists on our app private key just to verify, and brings an HTTP client
 * and eight other dependencies for what is twenty lines here.
 */

export interface AlipaySettings {
  /** Alipay's public key (支付宝公钥), PEM or the bare base64 the open platform shows. */
  alipayPublicKey: string;
  /** Our app id; when set, a notification for another app is refused (the docs ask to check app_id). */
  appId?: string;
  /** Our seller id (2088...); when set, checked against seller_id. */
  sellerId?: string;
}

const PAID_STATUSES = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

/**
 * The form fields of a notification (application/x-www-form-urlencoded, decoded once: that decoding is the docs'
 * "url_decode"). Null when a field repeats or the body is empty: a genuine notification has each field once.
 */
export function parseAlipayNotification(rawBody: string): Record<string, string> | null {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(rawBody)) {
    if (key in fields) return null;
    fields[key] = value;
  }
  return Object.keys(fields).length ? { ...fields } : null;
}

/** The text Alipay signs (验签 steps 1-2): every field but sign and sign_type, empty ones left out, sorted, `k=v&k=v`. */
export function alipaySignContent(fields: Record<string, string>): string {
  return Object.keys(fields)
    .filter((key) => key !== 'sign' && key !== 'sign_type' && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

/**
 * Checks an asynchronous notification (RSA2 = SHA256withRSA, base64, with Alipay's public key) and reads the trade.
 * TRADE_SUCCESS and TRADE_FINISHED are paid; WAIT_BUYER_PAY / TRADE_CLOSED are valid deliveries that record nothing.
 * Alipay repeats a notification until answered "success" (for 25 hours): dedupe by `deliveryId` (notify_id) and the
 * trade (`reference`), as TRADE_FINISHED may follow TRADE_SUCCESS for the same trade.
 */
export function verifyAlipayNotification(rawBody: string, settings: AlipaySettings): Checked<PaymentNotice> {
  const fields = parseAlipayNotification(rawBody);
  if (!fields) return refused('payload_malformed', 'the body is not a form with each field once');
  if (!fields.sign) return refused('signature_missing', 'the notification has no sign');
  if (fields.sign_type !== 'RSA2') return refused('signature_invalid', `sign_type is ${fields.sign_type || 'missing'}; only RSA2 (SHA256withRSA) is accepted`);
  const key = alipayKey(settings.alipayPublicKey);
  if (!key) return refused('signature_invalid', 'the configured Alipay public key is not an RSA public key');
  const verified = createVerify('RSA-SHA256').update(alipaySignContent(fields), 'utf8').verify(key, fields.sign, 'base64');
  if (!verified) return refused('signature_invalid', 'sign does not match the parameters with the Alipay public key');
  if (settings.appId && fields.app_id !== settings.appId) {
    return refused('account_mismatch', `the notification is for app ${fields.app_id || '(none)'}, not ${settings.appId}`);
  }
  if (settings.sellerId && fields.seller_id && fields.seller_id !== settings.sellerId) {
    return refused('account_mismatch', `the notification is for seller ${fields.seller_id}, not ${settings.sellerId}`);
  }
  return mapAlipayTrade(fields);
}

/** The notification's trade as our payment: out_trade_no, trade_no, total_amount (yuan), gmt_payment (Beijing time). */
export function mapAlipayTrade(fields: Record<string, string>): Checked<PaymentNotice> {
  const orderRef = fields.out_trade_no ?? '';
  const reference = fields.trade_no ?? '';
  const status = fields.trade_status ?? '';
  const amount = moneyFromDecimal(fields.total_amount);
  if (!orderRef || !reference || !status) return refused('payload_malformed', 'the notification has no out_trade_no, trade_no or trade_status');
  if (amount === null) return refused('payload_malformed', `total_amount ${fields.total_amount ?? '(none)'} is not an amount in yuan`);
  const paid = PAID_STATUSES.has(status);
  const paidAt = isoFromBeijingTime(fields.gmt_payment);
  if (fields.gmt_payment && !paidAt) return refused('payload_malformed', `gmt_payment ${fields.gmt_payment} is not yyyy-MM-dd HH:mm:ss`);
  return accepted({
    deliveryId: fields.notify_id || `${reference}:${status}`,
    paid,
    providerStatus: status,
    payment: { orderRef, amount, reference, paidAt },
  });
}

/** What stops Alipay retrying: exactly the seven characters `success`, as plain text. */
export function alipaySuccessAnswer(): ProviderAnswer {
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };
}

/** Anything but `success` makes Alipay retry (4m, 10m, 10m, 1h, 2h, 6h, 15h); a forged one gets 401 and "fail". */
export function alipayFailureAnswer(status = 401): ProviderAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: 'fail' };
}

/** Alipay's console shows the key as one base64 line; node wants PEM. */
function alipayKey(configured: string): KeyObject | null {
  const trimmed = configured.trim();
  const pem = trimmed.includes('-----BEGIN')
    ? trimmed
    : `-----BEGIN PUBLIC KEY-----\n${(trimmed.replace(/\s+/g, '').match(/.{1,64}/g) ?? []).join('\n')}\n-----END PUBLIC KEY-----`;
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'rsa' ? key : null;
  } catch {
    return null;
  }
}
