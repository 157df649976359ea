import { createHash, createHmac } from 'node:crypto';
import {
  accepted, asRecord, type Checked, isoFromBeijingTime, moneyFromDecimal, type OrderIntake, paidLines, refused, type SignedRequest, text,
} from './provider-types';

/**
 * Taobao / Tmall open platform (淘宝开放平台 TOP, issue 15 item 2): signed calls to poll orders by update time and to
 * send the waybill back. Docs: open.taobao.com/doc.htm?docId=101617&docType=1 (API调用方法详解: system parameters and the
 * 签名算法), API pages taobao.trades.sold.increment.get and taobao.logistics.offline.send. Checked against the TOP SDK
 * signers (TopClient/TopUtils: sorted keys, key+value concatenated with empty ones left out, MD5 wrapped in the secret
 * or HMAC keyed by it, upper-case hex).
 */

export const TOP_GATEWAY = 'https://eco.taobao.com/router/rest';

export type TopSignMethod = 'md5' | 'hmac' | 'hmac-sha256';

export interface TopSettings {
  appKey: string;
  appSecret: string;
  /** The shop's authorisation (sessionKey / access_token). */
  session: string;
  signMethod?: TopSignMethod;
  gateway?: string;
}

/** TOP's timestamp: Beijing time, yyyy-MM-dd HH:mm:ss (the gateway allows 10 minutes of skew). */
export function topTimestamp(at: Date): string {
  const beijing = new Date(at.getTime() + 8 * 3600_000);
  return beijing.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * 签名算法: sort every parameter but `sign` by name (ASCII), concatenate name+value of those with a value, then
 * md5: MD5(secret + text + secret); hmac: HMAC-MD5(text) keyed with the secret; hmac-sha256 likewise; upper-case hex.
 */
export function topSign(params: Record<string, string>, secret: string, method: TopSignMethod): string {
  const joined = Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== '' && params[key] !== undefined)
    .sort()
    .map((key) => `${key}${params[key]}`)
    .join('');
  const digest = method === 'md5'
    ? createHash('md5').update(`${secret}${joined}${secret}`, 'utf8').digest('hex')
    : createHmac(method === 'hmac' ? 'md5' : 'sha256', secret).update(joined, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** A signed TOP call: system parameters plus the API's own, POSTed as a form to the gateway. */
export function buildTopRequest(apiMethod: string, apiParams: Record<string, string>, settings: TopSettings, now: Date = new Date()): SignedRequest {
  const signMethod = settings.signMethod ?? 'hmac-sha256';
  const params: Record<string, string> = {
    method: apiMethod,
    app_key: settings.appKey,
    session: settings.session,
    timestamp: topTimestamp(now),
    format: 'json',
    v: '2.0',
    sign_method: signMethod,
    ...apiParams,
  };
  params.sign = topSign(params, settings.appSecret, signMethod);
  return {
    method: 'POST',
    url: settings.gateway ?? TOP_GATEWAY,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
    body: new URLSearchParams(params).toString(),
  };
}

/** The trade fields the mapping reads (taobao.trades.sold.increment.get `fields`). */
export const TOP_TRADE_FIELDS = [
  'tid', 'status', 'payment', 'post_fee', 'created', 'pay_time', 'modified', 'buyer_message',
  'receiver_name', 'receiver_mobile', 'receiver_phone', 'receiver_state', 'receiver_city', 'receiver_district', 'receiver_town',
  'receiver_address', 'receiver_zip', 'orders.oid', 'orders.outer_sku_id', 'orders.outer_iid', 'orders.num_iid', 'orders.num',
  'orders.price', 'orders.payment', 'orders.title',
].join(',');

/**
 * taobao.trades.sold.increment.get: one page of the trades changed in [from, to). TOP wants the window within one
 * day; the poller keeps `to` as its cursor and asks again from it (minus a little overlap: intake is idempotent).
 */
export function buildTopOrdersPoll(window: { from: Date; to: Date; page: number }, settings: TopSettings, now: Date = new Date()): SignedRequest {
  if (window.to.getTime() - window.from.getTime() > 24 * 3600_000) throw new RangeError('TOP polls at most one day of updates at a time');
  return buildTopRequest('taobao.trades.sold.increment.get', {
    fields: TOP_TRADE_FIELDS,
    start_modified: topTimestamp(window.from),
    end_modified: topTimestamp(window.to),
    page_no: String(window.page),
    page_size: '100',
    use_has_next: 'true',
  }, settings, now);
}

/** Optional settings of a taobao connector (issue 15 item 1), with what applies when they are not set. */
export const TOP_POLL_DEFAULTS = {
  /** How often the trades changed since the cursor are asked for. */
  pollIntervalSeconds: 60,
  /** How far before the cursor each poll starts again, so a trade modified at the boundary (or seen late by TOP) is not missed. */
  pollOverlapSeconds: 300,
  /** Where the first poll starts: this long before it. */
  initialSyncHours: 24,
} as const;

const TOP_SIGN_METHODS: readonly TopSignMethod[] = ['md5', 'hmac', 'hmac-sha256'];

/** The limits of each numeric setting (TOP keeps three months of trades for increment polling). */
const TOP_SETTING_RANGES: Record<keyof typeof TOP_POLL_DEFAULTS, [number, number]> = {
  pollIntervalSeconds: [1, 3600],
  pollOverlapSeconds: [0, 3600],
  initialSyncHours: [1, 2160],
};

/** What is wrong with a taobao connector's optional settings (path and message, as a 422 lists them). */
export function topSettingProblems(settings: Record<string, unknown>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const { gateway, signMethod } = settings;
  if (gateway !== undefined && (typeof gateway !== 'string' || gateway.length > 500 || !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(gateway))) {
    problems.push({ path: 'settings.gateway', message: `must be the TOP gateway's http:// or https:// URL, like ${TOP_GATEWAY}` });
  }
  if (signMethod !== undefined && !TOP_SIGN_METHODS.includes(signMethod as TopSignMethod)) {
    problems.push({ path: 'settings.signMethod', message: `must be one of ${TOP_SIGN_METHODS.join(', ')}` });
  }
  for (const [key, [min, max]] of Object.entries(TOP_SETTING_RANGES)) {
    const value = settings[key];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < min || (value as number) > max)) {
      problems.push({ path: `settings.${key}`, message: `must be a whole number from ${min} to ${max}` });
    }
  }
  return problems;
}

/** The connector's settings and secrets as a signed call needs them (checked on save by topSettingProblems). */
export function topSettingsOf(settings: Record<string, unknown>, secrets: Record<string, string>): TopSettings {
  return {
    appKey: text(settings.appKey),
    appSecret: secrets.appSecret ?? '',
    session: secrets.sessionKey ?? '',
    signMethod: TOP_SIGN_METHODS.includes(settings.signMethod as TopSignMethod) ? (settings.signMethod as TopSignMethod) : undefined,
    gateway: typeof settings.gateway === 'string' && settings.gateway ? settings.gateway : undefined,
  };
}

/** The polling settings in force: each one set, else its default. */
export function topPollSettingsOf(settings: Record<string, unknown>): Record<keyof typeof TOP_POLL_DEFAULTS, number> {
  const of = (key: keyof typeof TOP_POLL_DEFAULTS) => (Number.isInteger(settings[key]) ? (settings[key] as number) : TOP_POLL_DEFAULTS[key]);
  return { pollIntervalSeconds: of('pollIntervalSeconds'), pollOverlapSeconds: of('pollOverlapSeconds'), initialSyncHours: of('initialSyncHours') };
}

/**
 * taobao.user.seller.get for the seller's nick: a cheap call that needs every credential (the app key and secret sign it,
 * the session key names the shop), so `POST /api/integrations/{id}/test` checks them all (issue 15 item 1).
 */
export function buildTopCredentialsCheck(settings: TopSettings, now: Date = new Date()): SignedRequest {
  return buildTopRequest('taobao.user.seller.get', { fields: 'nick' }, settings, now);
}

/** The seller's nick from taobao.user.seller.get, or TOP's error. */
export function readTopSeller(body: string): Checked<string> {
  const parsed = parseTopResponse(body);
  if (!parsed.ok) return parsed;
  return accepted(text(asRecord(asRecord(parsed.value.user_seller_get_response).user).nick));
}

/** Our carrier codes to TOP's logistics company codes (taobao.logistics.companies.get). */
export const TOP_COMPANY_CODES: Readonly<Record<string, string>> = {
  sf: 'SF', zto: 'ZTO', yto: 'YTO', sto: 'STO', yunda: 'YUNDA', jd: 'JD', ems: 'EMS',
};

/** taobao.logistics.offline.send: the waybill number back to the trade (自己联系物流 发货), which marks it shipped there. */
export function buildTopWaybillSendBack(
  shipment: { tid: string; carrier: string; trackingNumber: string },
  settings: TopSettings,
  now: Date = new Date(),
): SignedRequest {
  return buildTopRequest('taobao.logistics.offline.send', {
    tid: shipment.tid,
    out_sid: shipment.trackingNumber,
    company_code: TOP_COMPANY_CODES[shipment.carrier] ?? shipment.carrier.toUpperCase(),
  }, settings, now);
}

/**
 * Parses a TOP answer keeping long ids exact: tid and oid are 64-bit and exceed what a JS number holds, so integers of
 * 16 digits or more in those fields are read as text. An `error_response` is refused with TOP's code and message.
 */
export function parseTopResponse(body: string): Checked<Record<string, unknown>> {
  const safe = body.replace(/"(tid|oid|num_iid|sku_id)"\s*:\s*(\d{16,})/g, '"$1":"$2"');
  let value: unknown;
  try {
    value = JSON.parse(safe);
  } catch {
    return refused('payload_malformed', 'the TOP answer is not JSON');
  }
  const answer = asRecord(value);
  if (answer.error_response) {
    const error = asRecord(answer.error_response);
    return refused('payload_malformed', `TOP error ${text(error.code)} ${text(error.msg)} ${text(error.sub_code)} ${text(error.sub_msg)}`.trim());
  }
  return accepted(answer);
}

/** The trades of one page of taobao.trades.sold.increment.get, and whether another page follows. */
export function readTopOrdersPage(body: string): Checked<{ trades: Record<string, unknown>[]; hasNext: boolean }> {
  const parsed = parseTopResponse(body);
  if (!parsed.ok) return parsed;
  const response = asRecord(parsed.value.trades_sold_increment_get_response);
  const trades = asRecord(response.trades).trade;
  return accepted({ trades: Array.isArray(trades) ? trades.map(asRecord) : [], hasNext: response.has_next === true });
}

/**
 * Trades closed before they became an order of ours (unpaid and closed by the buyer, the seller or Taobao; or refunded
 * in full): the poller records them as ignored instead of taking them as a new order.
 */
export function isClosedTopTrade(trade: Record<string, unknown>): boolean {
  return ['TRADE_CLOSED', 'TRADE_CLOSED_BY_TAOBAO'].includes(text(trade.status));
}

/** Trades a buyer has paid for (待发货 and later); WAIT_BUYER_PAY and closed trades are not. */
const PAID_STATUSES = new Set(['WAIT_SELLER_SEND_GOODS', 'SELLER_CONSIGNED_PART', 'WAIT_BUYER_CONFIRM_GOODS', 'TRADE_BUYER_SIGNED', 'TRADE_FINISHED']);

/**
 * A TOP trade as our intake body (the caller sets `channel`): externalId = tid; each sub-order's merchant SKU
 * (outer_sku_id, else outer_iid, the 商家编码) with its quantity and the price it sold at (payment / num, a rounded
 * cent noted). Times are Beijing time. Receiver fields arrive masked for apps without decryption rights
 * (since 2021, OAID): the intake then flags the phone and address for a person, as it does for any incomplete address.
 */
export function mapTopTrade(trade: Record<string, unknown>): Checked<OrderIntake> {
  const tid = text(trade.tid);
  if (!tid) return refused('payload_malformed', 'the trade has no tid');
  const orders = asRecord(trade.orders).order;
  const items = Array.isArray(orders) ? orders.map(asRecord) : [];
  if (!items.length) return refused('payload_malformed', `trade ${tid} has no orders`);
  const lines: OrderIntake['lines'] = [];
  for (const [index, item] of items.entries()) {
    const sku = text(item.outer_sku_id) || text(item.outer_iid) || `TB-${text(item.num_iid)}`;
    // payment: what the buyer paid for the line (实付), after the shop's and the platform's discounts
    const paid = paidLines(sku, Number(item.num), item.payment, item.price);
    if (!paid) return refused('payload_malformed', `trade ${tid} order ${index} has no whole num or price`);
    lines.push(...paid);
  }
  const status = text(trade.status);
  const paid = PAID_STATUSES.has(status);
  const payment = moneyFromDecimal(trade.payment);
  const paidAt = isoFromBeijingTime(trade.pay_time);
  const placedAt = isoFromBeijingTime(trade.created);
  const shippingFee = moneyFromDecimal(trade.post_fee);
  const notes = text(trade.buyer_message);
  return accepted({
    externalId: tid,
    ...(placedAt ? { placedAt } : {}),
    customer: { name: text(trade.receiver_name), phone: text(trade.receiver_mobile) || text(trade.receiver_phone) },
    shippingAddress: {
      province: text(trade.receiver_state),
      city: text(trade.receiver_city),
      ...(text(trade.receiver_district) ? { district: text(trade.receiver_district) } : {}),
      line1: [text(trade.receiver_town), text(trade.receiver_address)].filter(Boolean).join(' '),
      ...(text(trade.receiver_zip) ? { postalCode: text(trade.receiver_zip) } : {}),
      country: 'CN',
    },
    lines,
    payment: {
      method: 'alipay',
      status: paid ? 'paid' : 'pending',
      ...(payment ? { amount: payment } : {}),
      ...(paid && paidAt ? { paidAt } : {}),
    },
    ...(shippingFee ? { shippingFee } : {}),
    ...(notes ? { notes } : {}),
  });
}
