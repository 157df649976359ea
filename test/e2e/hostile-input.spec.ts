import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Test } from 'supertest';
import { MAX_JSON_DEPTH } from '../../src/common/input-safety';
import { type DatabaseChanges, watchDatabaseChanges } from '../helpers/database-changes';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

const NUL = '\u0000';

/** The PNG with its header (IHDR) claiming another size, its checksum made right again. */
function claimSize(png: Buffer, width: number, height: number): Buffer {
  const patched = Buffer.from(png);
  patched.writeUInt32BE(width, 16);
  patched.writeUInt32BE(height, 20);
  patched.writeUInt32BE(crc32(patched.subarray(12, 29)), 29);
  return patched;
}
const TOO_BIG = 2 ** 40;

interface HostileCase {
  name: string;
  send: () => Test;
  status: number;
  code: string;
  /** The field the 422 names. */
  path?: string;
}

/**
 * Issue 11 item 7: input that used to answer 500 is a clear 4xx with the API.md code, and a refused request changes
 * nothing (API.md "Conventions").
 */
describe('hostile input is refused with a 4xx and changes nothing', () => {
  const test = useTestApp();
  const http = () => test.app.http;
  let changes: DatabaseChanges;
  let sku: string;
  let warehouse: string;
  let order: { id: string; number: string };

  beforeAll(async () => {
    const token = test.auth.Authorization.replace('Bearer ', '');
    sku = unique('HI');
    ({ warehouse } = await stockedCatalogue(test.app, token, { [sku]: 50 }));
    order = (await http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    changes = await watchDatabaseChanges(test.app);
    await changes.settle();
  });

  const product = (overrides: Record<string, unknown> = {}) => ({ sku: unique('P'), name: '西湖龙井', price: '10.00', ...overrides });
  const rawJson = (method: 'post' | 'put', url: string, body: string) => http()[method](url).set(test.auth).set('Content-Type', 'application/json').send(body);
  const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;

  const cases: HostileCase[] = [
    // a NUL byte in any string, filter or id (PostgreSQL refuses U+0000 in text)
    { name: 'NUL in a body string', send: () => http().post('/api/products').set(test.auth).send(product({ name: `茶${NUL}` })), status: 422, code: 'validation_failed', path: 'name' },
    { name: 'NUL in a nested body string', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku: `${sku}${NUL}`, quantity: 1 }])), status: 422, code: 'validation_failed', path: 'lines[0].sku' },
    { name: 'NUL in a body key', send: () => http().post('/api/products').set(test.auth).send({ ...product(), [`x${NUL}`]: 1 }), status: 422, code: 'validation_failed' },
    { name: 'NUL in the settings', send: () => http().put('/api/settings').set(test.auth).send({ defaultWarehouse: `A${NUL}` }), status: 422, code: 'validation_failed', path: 'defaultWarehouse' },
    { name: 'NUL in a filter', send: () => http().get('/api/orders?phone=138%00').set(test.auth), status: 422, code: 'validation_failed', path: 'phone' },
    { name: 'NUL in an inventory search', send: () => http().get('/api/inventory?q=%00').set(test.auth), status: 422, code: 'validation_failed', path: 'q' },
    { name: 'NUL in an id', send: () => http().get('/api/orders/SO%00').set(test.auth), status: 422, code: 'validation_failed', path: 'id' },
    { name: 'NUL in the id of an action', send: () => http().post('/api/orders/a%00b/cancel').set(test.auth).send({ reason: 'x' }), status: 422, code: 'validation_failed', path: 'id' },
    { name: 'NUL in a stock level path', send: () => http().put(`/api/inventory/${'WH%00'}/${sku}`).set(test.auth).send({ onHand: 1 }), status: 422, code: 'validation_failed', path: 'warehouse' },
    {
      name: 'NUL in a workflow diagram',
      send: () => http().put('/api/workflows/hostile/draft').set(test.auth).set('Content-Type', 'application/xml').send(`<definitions>${NUL}</definitions>`),
      status: 422,
      code: 'validation_failed',
    },
    {
      name: 'a lone surrogate in an email (half a character)',
      send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { customer: { name: '张三', phone: '13800138000', email: 'a\ud800@example.com' } })),
      status: 422,
      code: 'validation_failed',
      path: 'customer.email',
    },
    // integers beyond their column
    { name: 'purchaseLimit 2^40', send: () => http().post('/api/products').set(test.auth).send(product({ purchaseLimit: TOO_BIG })), status: 422, code: 'validation_failed', path: 'purchaseLimit' },
    { name: 'weightGrams 2^40', send: () => http().post('/api/products').set(test.auth).send(product({ weightGrams: TOO_BIG })), status: 422, code: 'validation_failed', path: 'weightGrams' },
    { name: 'onHand 2^40', send: () => http().put(`/api/inventory/${warehouse}/${sku}`).set(test.auth).send({ onHand: TOO_BIG }), status: 422, code: 'validation_failed', path: 'onHand' },
    {
      name: 'a warehouse priority of 2^40',
      send: () => http().post('/api/warehouses').set(test.auth).send({ code: unique('W').slice(0, 30), name: 'w', province: '上海市', city: '上海市', priority: TOO_BIG }),
      status: 422,
      code: 'validation_failed',
      path: 'priority',
    },
    { name: 'an order quantity of 2^40', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: TOO_BIG }])), status: 422, code: 'validation_failed', path: 'lines[0].quantity' },
    { name: 'a version filter of 2^40', send: () => http().get(`/api/process-instances?version=${TOO_BIG}`).set(test.auth), status: 422, code: 'validation_failed', path: 'version' },
    { name: 'a page of 2^60', send: () => http().get(`/api/orders?page=${2 ** 60}`).set(test.auth), status: 422, code: 'validation_failed', path: 'page' },
    { name: 'a number too large for JSON (1e309)', send: () => rawJson('post', '/api/products', `{"sku":"${unique('P')}","name":"n","price":"1.00","weightGrams":1e309}`), status: 422, code: 'validation_failed', path: 'weightGrams' },
    // impossible dates
    { name: 'placedAt 2026-02-30', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { placedAt: '2026-02-30T10:00:00+08:00' })), status: 422, code: 'validation_failed', path: 'placedAt' },
    { name: 'placedAt 2026-13-01', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { placedAt: '2026-13-01' })), status: 422, code: 'validation_failed', path: 'placedAt' },
    { name: 'placedAt at hour 24', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { placedAt: '2026-11-25T24:30:00Z' })), status: 422, code: 'validation_failed', path: 'placedAt' },
    { name: 'placedAt as an ISO week', send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { placedAt: '2026-W05-3' })), status: 422, code: 'validation_failed', path: 'placedAt' },
    {
      name: 'paidAt 2026-02-30',
      send: () => http().post('/api/orders').set(test.auth).send(orderBody([{ sku, quantity: 1 }], { payment: { method: 'alipay', status: 'paid', paidAt: '2026-02-30T10:00:00Z' } })),
      status: 422,
      code: 'validation_failed',
      path: 'payment.paidAt',
    },
    { name: 'a payment paidAt of 2026-02-30', send: () => http().post(`/api/orders/${order.id}/payments`).set(test.auth).send({ amount: '1.00', reference: 'R1', paidAt: '2026-02-30' }), status: 422, code: 'validation_failed', path: 'paidAt' },
    { name: 'an order filter from=2026-02-30', send: () => http().get('/api/orders?from=2026-02-30').set(test.auth), status: 422, code: 'validation_failed', path: 'from' },
    { name: 'an order filter to=2026-13-01', send: () => http().get('/api/orders?to=2026-13-01').set(test.auth), status: 422, code: 'validation_failed', path: 'to' },
    { name: 'a feedback summary from=2026-02-29 (not a leap year)', send: () => http().get('/api/feedback/summary?from=2026-02-29').set(test.auth), status: 422, code: 'validation_failed', path: 'from' },
    {
      name: 'a carrier event at 2026-02-30',
      send: () => http().post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: 'SF00000001', events: [{ at: '2026-02-30T10:00:00+08:00', status: 'in_transit' }] }),
      status: 422,
      code: 'validation_failed',
      path: 'events[0].at',
    },
    // nesting: refused before it is parsed into memory
    { name: 'JSON arrays nested 10,000 deep', send: () => rawJson('post', '/api/orders', deep(10_000, '[', ']')), status: 400, code: 'bad_request' },
    { name: 'JSON objects nested 10,000 deep', send: () => rawJson('post', '/api/products', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`), status: 400, code: 'bad_request' },
    { name: `JSON nested ${MAX_JSON_DEPTH + 1} deep in a free-form field`, send: () => rawJson('put', '/api/settings', `{"x":${deep(MAX_JSON_DEPTH, '[', ']')}}`), status: 400, code: 'bad_request' },
    {
      name: 'JSON nested 10,000 deep in UTF-16 (where a byte-wise count could be fooled)',
      send: () => http().post('/api/orders').set(test.auth).set('Content-Type', 'application/json; charset=utf-16le').send(Buffer.from(`["\\"",${deep(10_000, '[', ']')}]`, 'utf16le')),
      status: 415,
      code: 'unsupported_media_type',
    },
    { name: 'a deeply nested query string', send: () => http().get(`/api/orders?status${'[a]'.repeat(500)}=x`).set(test.auth), status: 422, code: 'validation_failed' },
    // prototype keys are unknown fields like any other
    { name: 'a top-level __proto__', send: () => rawJson('post', '/api/products', `{"sku":"${unique('P')}","name":"n","price":"1.00","__proto__":{"isAdmin":true}}`), status: 422, code: 'validation_failed', path: '__proto__' },
    { name: 'a top-level constructor', send: () => rawJson('post', '/api/products', `{"sku":"${unique('P')}","name":"n","price":"1.00","constructor":{"prototype":{"x":1}}}`), status: 422, code: 'validation_failed', path: 'constructor' },
    { name: 'a top-level prototype', send: () => rawJson('post', '/api/products', `{"sku":"${unique('P')}","name":"n","price":"1.00","prototype":{}}`), status: 422, code: 'validation_failed', path: 'prototype' },
    { name: 'a nested __proto__', send: () => rawJson('post', `/api/orders/${order.id}/cancel`, `{"reason":"x","nested":{"__proto__":{"x":1}}}`), status: 422, code: 'validation_failed', path: 'nested.__proto__' },
    { name: '__proto__ in free-form settings', send: () => rawJson('put', '/api/settings', `{"__proto__":{"autoReview":{"enabled":false}}}`), status: 422, code: 'validation_failed', path: '__proto__' },
  ];

  it.each(cases)('$name → $status $code', async ({ send, status, code, path }) => {
    const mark = await changes.mark();
    const response = await send();
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
    if (path) expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await changes.since(mark)).toEqual([]);
  });

  it('a string that merely contains brackets is not nesting, and a valid body still works after the hostile ones', async () => {
    const created = await http().post('/api/products').set(test.auth).send(product({ name: '['.repeat(150).slice(0, 150), spec: '{"a":'.repeat(40) })).expect(201);
    expect(created.body.name).toBe('['.repeat(150));
    await http().get(`/api/orders/${order.id}`).set(test.auth).expect(200);
  });

  it('the settings are unchanged by the refused __proto__ body', async () => {
    const settings = await http().get('/api/settings').set(test.auth).expect(200);
    expect(settings.body.autoReview.enabled).toBe(true);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  describe('evidence uploads decode as whole images (POST /api/after-sales/{id}/attachments)', () => {
    let caseId: string;
    const noise = Buffer.alloc(120 * 80 * 3).map((_, index) => (index * 7919) % 251);
    const image = (format: 'jpeg' | 'png' | 'webp') => sharp(noise, { raw: { width: 120, height: 80, channels: 3 } })[format]().toBuffer();
    const attach = (bytes: Buffer, name = 'photo.jpg') => http().post(`/api/after-sales/${caseId}/attachments`).set(test.auth).attach('file', bytes, name);

    beforeAll(async () => {
      await eventually(async () => ((await http().get(`/api/orders/${order.id}`).set(test.auth)).body.status === 'awaiting_shipment' ? true : undefined), { what: 'the order to await shipment' });
      await http().post(`/api/orders/${order.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);
      caseId = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'damaged', lines: [{ sku, quantity: 1 }], reason: '破损' }).expect(201)).body.id;
      await changes.settle();
    });

    it.each(['jpeg', 'png', 'webp'] as const)('a whole %s is accepted', async (format) => {
      const attached = await attach(await image(format), `evidence.${format}`).expect(201);
      expect(attached.body.attachments.at(-1)).toMatchObject({ contentType: `image/${format}` });
      await changes.settle();
    });

    const damaged: Array<[string, () => Promise<Buffer>]> = [
      ['a JPEG header followed by garbage', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 0x41)])],
      ['a PNG signature followed by garbage', async () => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4000, 0x41)])],
      ['a WebP header followed by garbage', async () => Buffer.concat([Buffer.from('RIFF'), Buffer.from([0xa0, 0x0f, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(4000, 0x41)])],
      ['a JPEG whose first 200 bytes are real and the rest garbage', async () => { const real = await image('jpeg'); return Buffer.concat([real.subarray(0, 200), Buffer.alloc(real.length - 200, 0x41)]); }],
      ['a PNG with a damaged middle', async () => { const real = Buffer.from(await image('png')); const third = Math.floor(real.length / 3);
        real.fill(0x55, third, third + 200);
        ; return real; }],
      ['a truncated JPEG', async () => (await image('jpeg')).subarray(0, 600)],
      ['a truncated WebP', async () => { const real = await image('webp'); return real.subarray(0, Math.floor(real.length / 2)); }],
      ['a PNG claiming 20,000 × 20,000 pixels (a decompression bomb)', async () => claimSize(await image('png'), 20_000, 20_000)],
    ];

    it.each(damaged)('%s → 422 and nothing stored', async (_, bytes) => {
      const mark = await changes.mark();
      const refused = await attach(await bytes()).expect(422);
      expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'file' })] });
      expect(await changes.since(mark)).toEqual([]);
    });

    it('a file name with control characters (NUL too, sent percent-encoded) is stored without them', async () => {
      const boundary = 'hostile-boundary';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''box%00%07%1B.png\r\nContent-Type: image/png\r\n\r\n`),
        await image('png'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const attached = await http().post(`/api/after-sales/${caseId}/attachments`).set(test.auth).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body).expect(201);
      expect(attached.body.attachments.at(-1).fileName).toBe('box.png');
      await changes.settle();
    });

    it('a raw NUL in the multipart headers is a malformed request (400) that stores nothing', async () => {
      const mark = await changes.mark();
      expect((await attach(await image('png'), `box${NUL}.png`).expect(400)).body.error.code).toBe('bad_request');
      expect(await changes.since(mark)).toEqual([]);
    });
  });
});
