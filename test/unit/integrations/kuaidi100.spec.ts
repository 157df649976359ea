import { createHash } from 'node:crypto';
import {
  atKuaidi100Base, buildKuaidi100LabelRequest, buildKuaidi100Query, buildKuaidi100Subscription, readKuaidi100QueryAnswer, kuaidi100PushAnswer, readKuaidi100LabelAnswer, readKuaidi100SubscriptionAnswer,
  trackingStatusOfKuaidi100State, verifyKuaidi100Push,
} from '../../../src/integrations/providers/kuaidi100';
import { TRACKING_EVENT_STATUSES } from '../../../src/tracking/carriers/carrier-adapter';
import { kuaidi100Delivery } from './provider-fakes';

const upperMd5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

/** The 推送接口 example: a parcel delivered, track newest first, resultv2 area names. */
function pushParam(state = '3', overrides: Record<string, unknown> = {}) {
  return {
    status: 'shutdown',
    billstatus: 'check',
    message: '',
    autoCheck: '0',
    comOld: '',
    comNew: '',
    lastResult: {
      message: 'ok',
      state,
      status: '200',
      condition: 'F00',
      ischeck: '1',
      com: 'shunfeng',
      nu: 'SF1234567890',
      data: [
        { context: '[杭州市]快件已签收,签收人:本人', time: '2026-11-27 10:12:00', ftime: '2026-11-27 10:12:00', status: '签收', areaCode: '330106000000', areaName: '浙江,杭州市,西湖区', statusCode: '301' },
        { context: '[杭州市]快件交给张师傅,正在派送途中', time: '2026-11-27 08:05:00', ftime: '2026-11-27 08:05:00', status: '派件', areaCode: '330106000000', areaName: '浙江,杭州市,西湖区', statusCode: '5' },
        { context: '[上海市]快件已发往杭州转运中心', time: '2026-11-26 21:40:00', ftime: '2026-11-26 21:40:00', status: '在途', areaCode: '310000000000', areaName: '上海', statusCode: '1002' },
        { context: '[上海市]顺丰速运已收取快件', time: '2026-11-26 17:02:00', ftime: '2026-11-26 17:02:00', status: '揽收', areaCode: '310000000000', areaName: '上海', statusCode: '103' },
      ],
      ...overrides,
    },
  };
}

/** Issue 15 item 4: Kuaidi100 subscription, push callback and e-waybill, as its docs and official demos sign them. */
describe('Kuaidi100', () => {
  const salt = 'f3a9c2e7b1d4';

  describe('push callback', () => {
    it('a genuine push verifies and maps its track to our events, oldest first, Beijing time with offset', () => {
      const result = verifyKuaidi100Push(kuaidi100Delivery(pushParam(), salt), { salt });
      expect(result).toEqual({
        ok: true,
        value: {
          company: 'shunfeng', carrier: 'sf', trackingNumber: 'SF1234567890', monitorStatus: 'shutdown', monitorMessage: '', state: '3',
          events: [
            { at: '2026-11-26T17:02:00+08:00', status: 'in_transit', location: '上海', description: '[上海市]顺丰速运已收取快件' },
            { at: '2026-11-26T21:40:00+08:00', status: 'in_transit', location: '上海', description: '[上海市]快件已发往杭州转运中心' },
            { at: '2026-11-27T08:05:00+08:00', status: 'out_for_delivery', location: '浙江,杭州市,西湖区', description: '[杭州市]快件交给张师傅,正在派送途中' },
            { at: '2026-11-27T10:12:00+08:00', status: 'delivered', location: '浙江,杭州市,西湖区', description: '[杭州市]快件已签收,签收人:本人' },
          ],
        },
      });
    });

    it('without resultv2 (no per-row status) earlier rows are in transit and the newest takes lastResult.state', () => {
      const bare = pushParam('2');
      bare.lastResult.data = bare.lastResult.data.map(({ context, time, ftime }) => ({ context, time, ftime })) as typeof bare.lastResult.data;
      const result = verifyKuaidi100Push(kuaidi100Delivery(bare, salt), { salt });
      expect(result.ok && result.value.events.map((event) => [event.status, event.location])).toEqual([
        ['in_transit', null], ['in_transit', null], ['in_transit', null], ['exception', null],
      ]);
    });

    it('a param changed after signing is refused', () => {
      const body = kuaidi100Delivery(pushParam(), salt);
      const form = new URLSearchParams(body);
      form.set('param', form.get('param')!.replace('"state":"3"', '"state":"4"'));
      expect(verifyKuaidi100Push(form.toString(), { salt })).toMatchObject({ ok: false, code: 'signature_invalid' });
    });

    it('a push signed with another salt is refused; a lower-case MD5 of the right salt is accepted', () => {
      expect(verifyKuaidi100Push(kuaidi100Delivery(pushParam(), 'other-salt'), { salt })).toMatchObject({ ok: false, code: 'signature_invalid' });
      const form = new URLSearchParams(kuaidi100Delivery(pushParam(), salt));
      form.set('sign', form.get('sign')!.toLowerCase());
      expect(verifyKuaidi100Push(form.toString(), { salt }).ok).toBe(true);
    });

    it('with no salt configured even a correctly computed MD5(param) is refused: anyone can compute it', () => {
      expect(verifyKuaidi100Push(kuaidi100Delivery(pushParam(), ''), { salt: '' })).toMatchObject({ ok: false, code: 'signature_invalid', reason: expect.stringContaining('no salt') });
    });

    it('a push without sign or param, or with param that is not JSON, is refused with the reason', () => {
      const param = JSON.stringify(pushParam());
      expect(verifyKuaidi100Push(new URLSearchParams({ param }).toString(), { salt })).toMatchObject({ ok: false, code: 'signature_missing' });
      expect(verifyKuaidi100Push(new URLSearchParams({ sign: 'X' }).toString(), { salt })).toMatchObject({ ok: false, code: 'payload_malformed' });
      const notJson = new URLSearchParams({ param: 'oops', sign: upperMd5(`oops${salt}`) }).toString();
      expect(verifyKuaidi100Push(notJson, { salt })).toMatchObject({ ok: false, code: 'payload_malformed' });
      const badTime = pushParam();
      badTime.lastResult.data[0].ftime = '27/11/2026';
      badTime.lastResult.data[0].time = '27/11/2026';
      expect(verifyKuaidi100Push(kuaidi100Delivery(badTime, salt), { salt })).toMatchObject({ ok: false, code: 'payload_malformed', reason: expect.stringContaining('data[0]') });
    });

    it.each<[string, string]>([
      ['0', 'in_transit'], ['1', 'in_transit'], ['2', 'exception'], ['3', 'delivered'], ['4', 'returned'], ['5', 'out_for_delivery'],
      ['6', 'returned'], ['7', 'in_transit'], ['8', 'in_transit'], ['13', 'exception'], ['14', 'exception'],
      ['101', 'in_transit'], ['1002', 'in_transit'], ['204', 'exception'], ['301', 'delivered'], ['501', 'out_for_delivery'],
      ['签收', 'delivered'], ['疑难', 'exception'], ['派件', 'out_for_delivery'], ['拒签', 'exception'], ['99', 'in_transit'],
    ])('Kuaidi100 state %s is our %s', (state, status) => {
      expect(trackingStatusOfKuaidi100State(state)).toBe(status);
      expect(TRACKING_EVENT_STATUSES).toContain(trackingStatusOfKuaidi100State(state));
    });

    it('answers the body that stops Kuaidi100 retrying, and result false when refusing', () => {
      expect(kuaidi100PushAnswer({ ok: true })).toEqual({
        status: 200, contentType: 'application/json; charset=utf-8', body: '{"result":true,"returnCode":"200","message":"成功"}',
      });
      expect(kuaidi100PushAnswer({ ok: false, message: 'bad sign' })).toMatchObject({ status: 401, body: '{"result":false,"returnCode":"500","message":"bad sign"}' });
    });
  });

  describe('subscription', () => {
    const settings = { key: 'KEY123', secret: 'SECRET456', callbackUrl: 'https://oms.example.com/hooks/7', salt };

    it('posts schema=json and param with the key, the callback, the salt that will sign the pushes, and resultv2', () => {
      const request = buildKuaidi100Subscription({ carrier: 'sf', trackingNumber: 'SF1234567890', phone: '13800138000', to: '浙江省杭州市西湖区' }, settings);
      expect(request).toMatchObject({ method: 'POST', url: 'https://poll.kuaidi100.com/poll', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      const form = new URLSearchParams(request.body);
      expect(form.get('schema')).toBe('json');
      expect(JSON.parse(form.get('param')!)).toEqual({
        company: 'shunfeng', number: 'SF1234567890', to: '浙江省杭州市西湖区', key: 'KEY123',
        parameters: { callbackurl: 'https://oms.example.com/hooks/7', salt, resultv2: '1', phone: '13800138000' },
      });
    });

    it('reads 200 and 501 (already subscribed) as subscribed, anything else not', () => {
      expect(readKuaidi100SubscriptionAnswer('{"result":true,"returnCode":"200","message":"提交成功"}').subscribed).toBe(true);
      expect(readKuaidi100SubscriptionAnswer('{"result":false,"returnCode":"501","message":"重复订阅"}').subscribed).toBe(true);
      expect(readKuaidi100SubscriptionAnswer('{"result":false,"returnCode":"600","message":"您不是合法的订阅者"}')).toEqual({
        subscribed: false, returnCode: '600', message: '您不是合法的订阅者',
      });
    });
  });

  describe('e-waybill', () => {
    const settings = { key: 'KEY123', secret: 'SECRET456', callbackUrl: 'https://oms.example.com/hooks/7', salt };
    const order = {
      carrier: 'zto',
      recipient: { name: '张三', mobile: '13800138000', printAddr: '浙江省杭州市西湖区文三路100号' },
      sender: { name: '李四', mobile: '13900139000', printAddr: '上海市青浦区华新镇华志路1号 仓库A' },
      cargo: '茶叶',
      account: { partnerId: 'ZTO-MONTHLY-01', partnerKey: '', net: undefined },
      tempId: '60f6c17c7c223700131d8bc3',
      orderId: 'SO261125000001-1',
    };

    it('signs with upper MD5(param + t + key + secret), t in milliseconds, and subscribes the waybill to our callback', () => {
      const now = new Date('2026-11-25T02:00:00Z');
      const request = buildKuaidi100LabelRequest(order, settings, now);
      expect(request).toMatchObject({ method: 'POST', url: 'https://api.kuaidi100.com/label/order' });
      const form = new URLSearchParams(request.body);
      const param = form.get('param')!;
      expect(form.get('method')).toBe('order');
      expect(form.get('key')).toBe('KEY123');
      expect(form.get('t')).toBe(String(now.getTime()));
      expect(form.get('sign')).toBe(upperMd5(`${param}${now.getTime()}KEY123SECRET456`));
      expect(JSON.parse(param)).toMatchObject({
        kuaidicom: 'zhongtong', partnerId: 'ZTO-MONTHLY-01', recMan: order.recipient, sendMan: order.sender, cargo: '茶叶', count: 1,
        tempId: order.tempId, printType: 'IMAGE', orderId: 'SO261125000001-1', needSubscribe: true, pollCallBackUrl: settings.callbackUrl, salt,
      });
      expect(JSON.parse(param)).not.toHaveProperty('partnerKey');
      expect(() => buildKuaidi100LabelRequest(order, { ...settings, secret: undefined })).toThrow('secret');
    });

    it('reads the waybill number and label link from the answer, and refuses an error answer with its message', () => {
      expect(readKuaidi100LabelAnswer('{"code":200,"message":"success","time":120,"data":{"taskId":"T1","kuaidinum":"75123456789012","label":"https://api.kuaidi100.com/label/getImg?id=abc"}}')).toEqual({
        ok: true, value: { trackingNumber: '75123456789012', labelUrl: 'https://api.kuaidi100.com/label/getImg?id=abc', taskId: 'T1' },
      });
      expect(readKuaidi100LabelAnswer('{"code":30002,"message":"账号余额不足","data":null}')).toMatchObject({ ok: false, reason: expect.stringContaining('账号余额不足') });
    });
  });
  describe('real-time query (the polling fallback)', () => {
    it('signs with upper MD5(param + key + customer) and asks for the track newest first', () => {
      const request = buildKuaidi100Query({ carrier: 'sf', trackingNumber: 'SF1234567890', phone: '13800138000' }, { key: 'KEY123', customer: 'CUSTOMER789' });
      expect(request).toMatchObject({ method: 'POST', url: 'https://poll.kuaidi100.com/poll/query.do', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      const form = new URLSearchParams(request.body);
      const param = form.get('param')!;
      expect(form.get('customer')).toBe('CUSTOMER789');
      expect(form.get('sign')).toBe(upperMd5(`${param}KEY123CUSTOMER789`));
      expect(JSON.parse(param)).toEqual({ com: 'shunfeng', num: 'SF1234567890', phone: '13800138000', resultv2: '1', show: '0', order: 'desc' });
    });

    it('reads the answer like a push\'s lastResult; no track yet is no events; an error answer is refused with its message', () => {
      const answer = JSON.stringify({ ...pushParam('5').lastResult, message: 'ok', status: '200' });
      const read = readKuaidi100QueryAnswer(answer);
      expect(read.ok && read.value).toMatchObject({ carrier: 'sf', trackingNumber: 'SF1234567890', state: '5' });
      expect(read.ok && read.value.events.map((event) => event.status)).toEqual(['in_transit', 'in_transit', 'out_for_delivery', 'out_for_delivery']);
      expect(readKuaidi100QueryAnswer('{"result":false,"returnCode":"500","message":"查询无结果，请隔段时间再查"}')).toMatchObject({ ok: true, value: { events: [] } });
      expect(readKuaidi100QueryAnswer('{"result":false,"returnCode":"601","message":"key已过期"}')).toMatchObject({ ok: false, reason: expect.stringContaining('601 key已过期') });
      expect(readKuaidi100QueryAnswer('<html>')).toMatchObject({ ok: false });
    });

    it('a connector\'s apiBaseUrl takes the request elsewhere with its path', () => {
      const request = buildKuaidi100Query({ carrier: 'zto', trackingNumber: '75' }, { key: 'k', customer: 'c' });
      expect(atKuaidi100Base(request, 'http://127.0.0.1:9/kd/').url).toBe('http://127.0.0.1:9/kd/poll/query.do');
      expect(atKuaidi100Base(request, undefined)).toBe(request);
    });
  });
});
