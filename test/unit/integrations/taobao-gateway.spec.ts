import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callTop } from '../../../src/integrations/taobao-gateway';
import { buildTopCredentialsCheck } from '../../../src/integrations/providers/taobao';

/** The network side of TOP calls (issue 15 item 1): what a gateway that misbehaves gets from us. */
describe('calls to the TOP gateway', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.url ?? '');
      if (request.url === '/big') return void response.end('x'.repeat(5000));
      if (request.url === '/down') {
        response.writeHead(502);
        return void response.end('bad gateway');
      }
      if (request.url === '/moved') {
        response.writeHead(302, { Location: '/elsewhere' });
        return void response.end();
      }
      response.end('{"user_seller_get_response":{"user":{"nick":"小店"}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (path: string) => buildTopCredentialsCheck({ appKey: '1', appSecret: 'app-secret-value', session: 'session-key-value', gateway: `${base}${path}` });

  it('gives back the answer\'s text, refuses one over the size limit, a non-200 and a redirect (not followed)', async () => {
    expect(await callTop(request('/router/rest'))).toEqual({ ok: true, body: '{"user_seller_get_response":{"user":{"nick":"小店"}}}' });
    expect(await callTop(request('/big'), { maxBytes: 4096 })).toEqual({ ok: false, reason: 'the TOP gateway\'s answer could not be read: it is larger than 4096 bytes' });
    expect(await callTop(request('/big'), { maxBytes: 8192 })).toMatchObject({ ok: true });
    expect(await callTop(request('/down'))).toEqual({ ok: false, reason: 'the TOP gateway answered HTTP 502' });
    expect(await callTop(request('/moved'))).toEqual({ ok: false, reason: 'the TOP gateway answered HTTP 302' });
    expect(seen).not.toContain('/elsewhere');
  });

  it('a gateway out of reach is named by its origin only: the reason carries no credential', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await callTop(buildTopCredentialsCheck({ appKey: '1', appSecret: 'app-secret-value', session: 'session-key-value', gateway: `http://127.0.0.1:${port}/router/rest?x=1` }));
    expect(answer).toMatchObject({ ok: false, reason: expect.stringContaining(`the TOP gateway http://127.0.0.1:${port} could not be reached`) });
    expect(JSON.stringify(answer)).not.toMatch(/session-key-value|app-secret-value/);
  });
});
