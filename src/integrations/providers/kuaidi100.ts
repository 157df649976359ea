import { createHash } from 'node:crypto';
import type { TrackingEvent, TrackingEventStatus } from '../../tracking/carriers/carrier-adapter';
import {
  accepted, asRecord, type Checked, isoFromBeijingTime, parseJsonObject, type ProviderAnswer, refused, sameText, type SignedRequest, text,
} from './provider-types';

/**
 * Kuaidi100 (快递100, issue 15 item 4): tracking subscription (快递信息推送服务 订阅接口), its push callback (推送接口), and
 * the e-waybill order (电子面单下单接口). Docs: api.kuaidi100.com/document (订阅接口, 推送接口, 电子面单下单); checked
 * against the official demos kuaidi100-api/nodejs-demo (base/poll.js, utils/httpUtil.js: sign = upper MD5(param + t +
 * key + secret)) and kuaidi100-api/java-demo (Subscribe.callBackUrl: sign = upper MD5(param + salt); SubscribeResp).
 */

export const KUAIDI100_POLL_URL = 'https://poll.kuaidi100.com/poll';
export const KUAIDI100_LABEL_URL = 'https://api.kuaidi100.com/label/order';

/** Kuaidi100's company codes for our carriers (src/tracking/carriers/carriers.ts uses the same in its links). */
export const KUAIDI100_COMPANY: Readonly<Record<string, string>> = {
  sf: 'shunfeng', zto: 'zhongtong', yto: 'yuantong', sto: 'shentong', yunda: 'yunda', jd: 'jd', ems: 'ems',
};

/** Kuaidi100's MD5 as every one of its APIs uses it: 32 hex digits, upper case. */
export function kuaidi100Md5(message: string): string {
  return createHash('md5').update(message, 'utf8').digest('hex').toUpperCase();
}

const formBody = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

export interface Kuaidi100Settings {
  /** 授权key (customer key). */
  key: string;
  /** The secret of the e-waybill APIs (secret in 我的信息). */
  secret?: string;
  /** Where Kuaidi100 pushes: our /hooks/{id}. */
  callbackUrl: string;
  /** Our random salt: Kuaidi100 signs each push with MD5(param + salt). */
  salt: string;
}

/**
 * 订阅接口: POST form `schema=json&param={company, number, key, parameters: {callbackurl, salt, resultv2, phone}}`.
 * The subscription itself carries the key, not a signature; the salt it registers is what signs the pushes back.
 * resultv2=1 asks for per-event status and area names. SF Express needs the receiver's or sender's phone.
 */
export function buildKuaidi100Subscription(
  parcel: { carrier: string; trackingNumber: string; phone?: string; from?: string; to?: string },
  settings: Kuaidi100Settings,
): SignedRequest {
  const company = KUAIDI100_COMPANY[parcel.carrier] ?? parcel.carrier;
  const param = {
    company,
    number: parcel.trackingNumber,
    ...(parcel.from ? { from: parcel.from } : {}),
    ...(parcel.to ? { to: parcel.to } : {}),
    key: settings.key,
    parameters: {
      callbackurl: settings.callbackUrl,
      salt: settings.salt,
      resultv2: '1',
      ...(parcel.phone ? { phone: parcel.phone } : {}),
    },
  };
  return { method: 'POST', url: KUAIDI100_POLL_URL, headers: FORM, body: formBody({ schema: 'json', param: JSON.stringify(param) }) };
}

/** The subscription's answer: returnCode 200 (提交成功) or 501 (重复订阅, already watched) mean it is subscribed. */
export function readKuaidi100SubscriptionAnswer(body: string): { subscribed: boolean; returnCode: string; message: string } {
  const answer = parseJsonObject(body) ?? {};
  const returnCode = text(answer.returnCode);
  return { subscribed: returnCode === '200' || returnCode === '501', returnCode, message: text(answer.message) };
}

/** One push, verified and read. */
export interface Kuaidi100Push {
  /** Kuaidi100's company code (lastResult.com), and our carrier code when it is one of ours. */
  company: string;
  carrier: string | null;
  trackingNumber: string;
  /** 监控状态: polling, shutdown (delivered, no more pushes), abort (gave up: subscribe again), updateall. */
  monitorStatus: string;
  monitorMessage: string;
  /** lastResult.state, Kuaidi100's state of the parcel now. */
  state: string;
  /** Oldest first; the newest carries the parcel's current state. */
  events: TrackingEvent[];
}

/**
 * Checks a push (form fields `param`, the JSON, and `sign` = upper MD5(param + salt)) and maps its track to our events.
 * Kuaidi100 retries a push that is not answered with kuaidi100PushAnswer(): 3 more times, 35 minutes apart.
 */
export function verifyKuaidi100Push(rawBody: string, settings: Pick<Kuaidi100Settings, 'salt'>): Checked<Kuaidi100Push> {
  const form = new URLSearchParams(rawBody);
  const param = form.get('param');
  const sign = form.get('sign');
  if (!param) return refused('payload_malformed', 'the push has no param field');
  if (!sign) return refused('signature_missing', 'the push has no sign field');
  // with an empty salt the sign is MD5(param), which anyone can compute: such a push proves nothing
  if (!settings.salt) return refused('signature_invalid', 'no salt is configured, so the push cannot be authenticated');
  if (!sameText(sign.toUpperCase(), kuaidi100Md5(param + settings.salt))) {
    return refused('signature_invalid', 'sign is not MD5(param + salt) with the configured salt');
  }
  const body = parseJsonObject(param);
  if (!body) return refused('payload_malformed', 'param is not a JSON object');
  return mapKuaidi100Push(body);
}

/** The push's JSON (status, message, lastResult{state, com, nu, data[{context, time, ftime, areaName, statusCode}]}). */
export function mapKuaidi100Push(body: Record<string, unknown>): Checked<Kuaidi100Push> {
  const last = asRecord(body.lastResult);
  const company = text(last.com);
  const trackingNumber = text(last.nu);
  if (!company || !trackingNumber) return refused('payload_malformed', 'lastResult has no com or nu');
  const rows = Array.isArray(last.data) ? last.data.map(asRecord) : [];
  const state = text(last.state);
  const events: TrackingEvent[] = [];
  // data is newest first: the newest row takes lastResult.state, earlier rows their own statusCode (resultv2) if any
  for (const [index, row] of rows.entries()) {
    const at = isoFromBeijingTime(row.ftime) ?? isoFromBeijingTime(row.time);
    if (!at) return refused('payload_malformed', `lastResult.data[${index}] has no time like yyyy-MM-dd HH:mm:ss`);
    const code = index === 0 && state ? state : text(row.statusCode) || text(row.status);
    events.unshift({
      at,
      status: trackingStatusOfKuaidi100State(code),
      location: text(row.areaName) || null,
      description: text(row.context) || null,
    });
  }
  const carrier = Object.entries(KUAIDI100_COMPANY).find(([, code]) => code === company)?.[0] ?? null;
  return accepted({
    company, carrier, trackingNumber, monitorStatus: text(body.status), monitorMessage: text(body.message), state, events,
  });
}

/**
 * Kuaidi100's parcel states (推送接口 lastResult.state; 高级状态 with resultv2=4 refine them, e.g. 101-103 under 1, 1001-1003
 * under 0, 201-210 under 2, 301-304 under 3, 401 under 4, 501 under 5) to our tracking statuses (carrier-adapter.ts).
 * 拒签 (14, the receiver refused) is an exception a person handles; 退签/退回 (4, 6) are going back to us.
 */
const MAIN_STATES: Readonly<Record<string, TrackingEventStatus>> = {
  0: 'in_transit', // 在途
  1: 'in_transit', // 揽收
  2: 'exception', // 疑难
  3: 'delivered', // 签收
  4: 'returned', // 退签
  5: 'out_for_delivery', // 派件
  6: 'returned', // 退回
  7: 'in_transit', // 转投
  8: 'in_transit', // 清关
  10: 'in_transit', // 待清关
  11: 'in_transit', // 清关中
  12: 'in_transit', // 已清关
  13: 'exception', // 清关异常
  14: 'exception', // 拒签
};

const CHINESE_STATES: Readonly<Record<string, string>> = {
  在途: '0', 揽收: '1', 疑难: '2', 签收: '3', 退签: '4', 派件: '5', 退回: '6', 转投: '7', 清关: '8', 待清关: '10', 清关中: '11', 已清关: '12', 清关异常: '13', 拒签: '14',
};

export function trackingStatusOfKuaidi100State(state: string): TrackingEventStatus {
  const code = CHINESE_STATES[state] ?? state;
  if (MAIN_STATES[code]) return MAIN_STATES[code];
  if (/^100\d$/.test(code)) return 'in_transit'; // 1001 到达派件城市, 1002 干线, 1003 转递
  if (/^[1-6]\d\d$/.test(code)) return MAIN_STATES[code[0]]; // 101 已下单 ... 501 投柜或驿站, 601 ...
  return 'in_transit'; // an unknown state moves nothing on: the parcel is still under way as far as we know
}

/** 推送接口 answer: this body (HTTP 200) stops the retries; a refused push gets result false and the status given. */
export function kuaidi100PushAnswer(outcome: { ok: true } | { ok: false; message: string; status?: number }): ProviderAnswer {
  const body = outcome.ok
    ? { result: true, returnCode: '200', message: '成功' }
    : { result: false, returnCode: '500', message: outcome.message };
  return { status: outcome.ok ? 200 : outcome.status ?? 401, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

export interface Kuaidi100Contact {
  name: string;
  mobile: string;
  /** The full address as it is printed (province city district street). */
  printAddr: string;
  company?: string;
}

/** What the e-waybill order needs from the shipment and the merchant's carrier account (电子面单参数). */
export interface Kuaidi100LabelOrder {
  carrier: string;
  recipient: Kuaidi100Contact;
  sender: Kuaidi100Contact;
  cargo: string;
  count?: number;
  weightKg?: string;
  remark?: string;
  /** The carrier account (月结账号 / 网点账号): partnerId, partnerKey, ... as the carrier requires. */
  account: { partnerId?: string; partnerKey?: string; partnerSecret?: string; partnerName?: string; net?: string; code?: string; checkMan?: string };
  /** Template id (tempId) from Kuaidi100's template library; IMAGE returns a label picture link. */
  tempId: string;
  expType?: string;
  payType?: 'SHIPPER' | 'CONSIGNEE' | 'MONTHLY';
  /** Our reference for this shipment, echoed back (orderId). */
  orderId: string;
}

/**
 * 电子面单下单 (label/order, method=order): form `method, key, t, sign, param` with
 * sign = upper MD5(param + t + key + secret), t in milliseconds, and the order subscribed to pushes at our callback.
 */
export function buildKuaidi100LabelRequest(order: Kuaidi100LabelOrder, settings: Kuaidi100Settings, now: Date = new Date()): SignedRequest {
  if (!settings.secret) throw new Error('the Kuaidi100 e-waybill API needs the secret of the account');
  const account = Object.fromEntries(Object.entries(order.account).filter(([, value]) => value !== undefined && value !== ''));
  const param = JSON.stringify({
    printType: 'IMAGE',
    kuaidicom: KUAIDI100_COMPANY[order.carrier] ?? order.carrier,
    ...account,
    recMan: order.recipient,
    sendMan: order.sender,
    cargo: order.cargo,
    count: order.count ?? 1,
    ...(order.weightKg ? { weight: order.weightKg } : {}),
    ...(order.remark ? { remark: order.remark } : {}),
    payType: order.payType ?? 'SHIPPER',
    expType: order.expType ?? '标准快递',
    tempId: order.tempId,
    orderId: order.orderId,
    needSubscribe: true,
    pollCallBackUrl: settings.callbackUrl,
    salt: settings.salt,
    resultv2: '1',
  });
  const t = String(now.getTime());
  return signLabelForm('order', param, t, settings.key, settings.secret);
}

/** The signed form of any label/order method (order, cancel, ...), for the other e-waybill calls. */
export function signLabelForm(method: string, param: string, t: string, key: string, secret: string): SignedRequest {
  const sign = kuaidi100Md5(param + t + key + secret);
  return { method: 'POST', url: KUAIDI100_LABEL_URL, headers: FORM, body: formBody({ method, key, t, sign, param }) };
}

/** The e-waybill answer {code: 200, message, data: {kuaidinum, label, taskId, ...}}: the waybill number and label link. */
export function readKuaidi100LabelAnswer(body: string): Checked<{ trackingNumber: string; labelUrl: string | null; taskId: string | null }> {
  const answer = parseJsonObject(body);
  if (!answer) return refused('payload_malformed', 'the e-waybill answer is not JSON');
  if (text(answer.code) !== '200') return refused('payload_malformed', `Kuaidi100 refused the e-waybill: ${text(answer.code)} ${text(answer.message)}`);
  const data = asRecord(answer.data);
  const trackingNumber = text(data.kuaidinum);
  if (!trackingNumber) return refused('payload_malformed', 'the e-waybill answer has no kuaidinum');
  return accepted({ trackingNumber, labelUrl: text(data.label) || null, taskId: text(data.taskId) || null });
}

export const KUAIDI100_QUERY_URL = 'https://poll.kuaidi100.com/poll/query.do';

/**
 * 实时快递查询接口 (the polling fallback, issue 15 item 4): POST form `customer, sign, param` with
 * sign = upper MD5(param + key + customer); param {com, num, phone?, resultv2, show: '0' (JSON), order: 'desc'}.
 */
export function buildKuaidi100Query(
  parcel: { carrier: string; trackingNumber: string; phone?: string },
  credentials: { key: string; customer: string },
): SignedRequest {
  const param = JSON.stringify({
    com: KUAIDI100_COMPANY[parcel.carrier] ?? parcel.carrier,
    num: parcel.trackingNumber,
    ...(parcel.phone ? { phone: parcel.phone } : {}),
    resultv2: '1',
    show: '0',
    order: 'desc',
  });
  const sign = kuaidi100Md5(param + credentials.key + credentials.customer);
  return { method: 'POST', url: KUAIDI100_QUERY_URL, headers: FORM, body: formBody({ customer: credentials.customer, sign, param }) };
}

/**
 * The query's answer: the same shape as a push's lastResult (status "200", state, com, nu, data newest first), or
 * {result: false, returnCode, message}. returnCode 500 "查询无结果" is a parcel with no track yet: no events, not a failure.
 */
export function readKuaidi100QueryAnswer(body: string): Checked<Kuaidi100Push> {
  const answer = parseJsonObject(body);
  if (!answer) return refused('payload_malformed', 'the query answer is not JSON');
  if (answer.result === false || (answer.returnCode !== undefined && text(answer.status) !== '200')) {
    const returnCode = text(answer.returnCode);
    if (returnCode === '500' && /无结果/.test(text(answer.message))) {
      return accepted({ company: '', carrier: null, trackingNumber: '', monitorStatus: 'polling', monitorMessage: text(answer.message), state: '', events: [] });
    }
    return refused('payload_malformed', `Kuaidi100 refused the query: ${returnCode} ${text(answer.message)}`);
  }
  return mapKuaidi100Push({ status: 'polling', message: text(answer.message), lastResult: answer });
}

/** 订阅 returnCode 701 拒绝订阅的快递公司: this carrier is not pushed, so its parcels are polled instead. */
export const KUAIDI100_PUSH_UNSUPPORTED = '701';

/**
 * The same request sent to another origin (a connector's `apiBaseUrl`: a proxy, or a test's fake of Kuaidi100), the path
 * kept: /poll, /poll/query.do, /label/order.
 */
export function atKuaidi100Base(request: SignedRequest, apiBaseUrl: string | undefined): SignedRequest {
  if (!apiBaseUrl) return request;
  const url = new URL(request.url);
  return { ...request, url: `${apiBaseUrl.replace(/\/+$/, '')}${url.pathname}${url.search}` };
}
