import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orderBody, stockedCatalogue, unique } from '../../helpers/fixtures';
import { eventually, startTestApp } from '../../helpers/test-app';
import { HttpSmsProvider } from '../../../src/notifications/sms/http-sms.provider';
import { smsNumberOf } from '../../../src/notifications/sms/sms-provider';

interface Received {
  authorization: string | undefined;
  body: { to: string; text: string; messageId: string };
}

/** A stand-in SMS gateway on 127.0.0.1: records each request and answers with `status`. */
async function startGateway(status = () => 200): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ authorization: request.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    const code = status();
    response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(code === 200 ? { id: `GW-${received.length}` } : { error: 'busy' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received, server };
}

/** Issue 7 item 5: SMS through an HTTP gateway configured by URL and key. */
describe('SMS through the HTTP provider', () => {
  it('posts {to, text, messageId} with the bearer key; a gateway error is a failure to retry', async () => {
    let answer = 503;
    const gateway = await startGateway(() => answer);
    try {
      const provider = new HttpSmsProvider(gateway.url, 'key-123');
      await expect(provider.send({ to: '+8613800138000', text: '您好', messageId: 'm-1@oms' })).rejects.toThrow(/503/);
      answer = 200;
      expect(await provider.send({ to: '+8613800138000', text: '您好', messageId: 'm-1@oms' })).toEqual({ messageId: 'GW-2' });
      expect(gateway.received.map((r) => [r.authorization, r.body])).toEqual([
        ['Bearer key-123', { to: '+8613800138000', text: '您好', messageId: 'm-1@oms' }],
        ['Bearer key-123', { to: '+8613800138000', text: '您好', messageId: 'm-1@oms' }],
      ]);
    } finally {
      gateway.server.close();
    }
  });

  it('only mobile numbers get an SMS: mainland mobiles with or without +86, E.164 elsewhere', () => {
    expect(smsNumberOf('13800138000')).toBe('+8613800138000');
    expect(smsNumberOf('+86 138-0013-8000')).toBe('+8613800138000');
    expect(smsNumberOf('+4915112345678')).toBe('+4915112345678');
    for (const phone of ['010-12345678', '12345', '', null, '+86 12800138000']) expect(smsNumberOf(phone)).toBeNull();
  });

  it('the service sends the shipping SMS through the gateway of SMS_HTTP_URL', async () => {
    const gateway = await startGateway();
    const app = await startTestApp({ env: { SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url, SMS_HTTP_TOKEN: 'secret-key' } });
    try {
      const auth = { Authorization: `Bearer ${await app.login()}` };
      const sku = unique('GW');
      await stockedCatalogue(app, auth.Authorization.slice(7), { [sku]: 2 });
      const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '钱八', phone: '13511112222' } })).expect(201)).body;
      await eventually(async () => ((await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body.status === 'awaiting_shipment' ? true : undefined));
      await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'yto', trackingNumber: 'YT9900001111' }).expect(200);
      const [sms] = await eventually(async () => (gateway.received.length ? gateway.received : undefined), { what: 'the gateway to receive the SMS' });
      expect(sms.authorization).toBe('Bearer secret-key');
      expect(sms.body.to).toBe('+8613511112222');
      expect(sms.body.text).toContain('YT9900001111');
      const outbox = (await app.http.get('/api/notifications').query({ reference: order.number }).set(auth).expect(200)).body.items;
      expect(outbox.find((n: { channel: string }) => n.channel === 'sms')).toMatchObject({ status: 'sent', attempts: [expect.objectContaining({ outcome: 'sent', providerMessageId: 'GW-1' })] });
    } finally {
      await app.close();
      gateway.server.close();
    }
  });
});
