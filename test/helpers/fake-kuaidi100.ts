import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Kuaidi100 (issue 15 item 4) for the e2e tests, written from its documentation, not from src: 订阅 /poll (the key
 * in param authenticates; 200 提交成功, 501 重复订阅, 701 拒绝订阅的快递公司), 实时查询 /poll/query.do (sign = upper
 * MD5(param + key + customer)), 电子面单下单 /label/order (sign = upper MD5(param + t + key + secret)), and its pushes
 * signed with upper MD5(param + salt) using the salt our subscription registered. Keys are generated per fake.
 */
export const upperMd5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

export interface FakeSubscription {
  company: string;
  number: string;
  key: string;
  callbackurl: string;
  salt: string;
  phone?: string;
}

export interface FakeTrackRow {
  context: string;
  ftime: string;
  areaName?: string;
  statusCode: string;
}

/** The fields of the three APIs' `param` JSON that the fake reads. */
interface FakeParam {
  key: string;
  company: string;
  number: string;
  parameters?: { callbackurl: string; salt: string; phone?: string };
  com: string;
  num: string;
  orderId: string;
  kuaidicom: string;
  recMan: { name: string; printAddr: string };
}

export class FakeKuaidi100 {
  readonly key = randomBytes(12).toString('hex');
  readonly customer = randomBytes(16).toString('hex').toUpperCase();
  readonly secret = randomBytes(16).toString('hex');
  /** Requests answered, by path, with whether they were well signed. */
  readonly calls: Array<{ path: string; validSignature: boolean; status: number }> = [];
  readonly subscriptions: FakeSubscription[] = [];
  readonly waybillsIssued: Array<{ kuaidinum: string; orderId: string; kuaidicom: string; recMan: { name: string; printAddr: string } }> = [];
  readonly queries: Array<{ com: string; num: string }> = [];
  /** How many of the next requests to each path answer HTTP 500 (the service failing). */
  readonly failNext: Record<string, number> = {};
  /** Paths that answer 503 until told otherwise (the service down). */
  readonly down = new Set<string>();
  /** Companies whose subscription is refused with 701 (no push: poll them). */
  readonly noPush = new Set<string>();
  /** Tracks by number, newest first, as the query answers them. */
  readonly tracks = new Map<string, { com: string; state: string; data: FakeTrackRow[] }>();
  private server?: Server;
  private sequence = 0;

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A push as Kuaidi100 sends it to a subscription's callbackurl: form `param` and `sign` = upper MD5(param + salt). */
  push(subscription: FakeSubscription, state: string, data: FakeTrackRow[], status = state === '3' ? 'shutdown' : 'polling'): { path: string; body: string; param: string } {
    const param = JSON.stringify({
      status, billstatus: 'got', message: '', autoCheck: '0', comOld: '', comNew: '',
      lastResult: { message: 'ok', state, status: '200', condition: 'F00', ischeck: state === '3' ? '1' : '0', com: subscription.company, nu: subscription.number,
        data: data.map((row) => ({ ...row, time: row.ftime, status: '' })) },
    });
    return { path: new URL(subscription.callbackurl).pathname, body: new URLSearchParams({ param, sign: upperMd5(param + subscription.salt) }).toString(), param };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const answer = (status: number, body: object, validSignature: boolean) => {
      this.calls.push({ path, validSignature, status });
      response.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' }).end(JSON.stringify(body));
    };
    if (this.down.has(path)) return answer(503, { message: 'service unavailable' }, false);
    if ((this.failNext[path] ?? 0) > 0) {
      this.failNext[path] -= 1;
      return answer(500, { result: false, returnCode: '500', message: '服务器错误' }, false);
    }
    const param = form.get('param') ?? '';
    let body: FakeParam;
    try {
      body = JSON.parse(param);
    } catch {
      return answer(200, { result: false, returnCode: '700', message: 'param 不是 JSON' }, false);
    }
    if (path === '/poll') {
      const parameters = body.parameters;
      if (form.get('schema') !== 'json' || body.key !== this.key || typeof parameters?.salt !== 'string' || parameters.salt.length === 0) return answer(200, { result: false, returnCode: '600', message: '您不是合法的订阅者' }, false);
      if (this.noPush.has(body.company)) return answer(200, { result: false, returnCode: '701', message: '拒绝订阅的快递公司' }, true);
      const repeat = this.subscriptions.some((known) => known.company === body.company && known.number === body.number);
      this.subscriptions.push({ company: body.company, number: body.number, key: body.key, callbackurl: parameters.callbackurl, salt: parameters.salt, phone: parameters.phone });
      return answer(200, repeat ? { result: false, returnCode: '501', message: '重复订阅' } : { result: true, returnCode: '200', message: '提交成功' }, true);
    }
    if (path === '/poll/query.do') {
      const valid = form.get('customer') === this.customer && form.get('sign') === upperMd5(param + this.key + this.customer);
      if (!valid) return answer(200, { result: false, returnCode: '601', message: 'sign 不正确' }, false);
      this.queries.push({ com: body.com, num: body.num });
      const track = this.tracks.get(body.num);
      if (!track || track.com !== body.com) return answer(200, { result: false, returnCode: '500', message: '查询无结果，请隔段时间再查' }, true);
      return answer(200, {
        message: 'ok', nu: body.num, ischeck: track.state === '3' ? '1' : '0', condition: 'F00', com: track.com, status: '200', state: track.state,
        data: track.data.map((row) => ({ ...row, time: row.ftime, status: '' })),
      }, true);
    }
    if (path === '/label/order') {
      const t = form.get('t') ?? '';
      const valid = form.get('method') === 'order' && form.get('key') === this.key && form.get('sign') === upperMd5(param + t + this.key + this.secret);
      if (!valid) return answer(200, { code: 30001, message: '签名错误', data: null }, false);
      const kuaidinum = `75${Date.now().toString().slice(-9)}${String(++this.sequence).padStart(3, '0')}`;
      this.waybillsIssued.push({ kuaidinum, orderId: body.orderId, kuaidicom: body.kuaidicom, recMan: body.recMan });
      return answer(200, { code: 200, message: 'success', time: 35, data: { taskId: randomBytes(8).toString('hex'), kuaidinum, label: `https://api.kuaidi100.com/label/getImg?id=${kuaidinum}` } }, true);
    }
    return answer(404, { message: 'no such API' }, false);
  }
}
