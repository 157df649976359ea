import { createHmac, randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { CASE_TYPES } from '../../src/after-sales/case-status';
import { PUBLIC_REQUESTS_PER_ADDRESS, PUBLIC_REQUESTS_PER_TOKEN } from '../../src/after-sales/customer-link-throttle';
import { CustomerLinkService } from '../../src/after-sales/customer-link.service';
import { baseUrl, collectPageErrors, launchChromium } from '../helpers/browser';
import { orderBody, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

type PublicLine = { sku: string; name: string; quantity: number; shipped: number; returnable: number };
type PublicCase = {
  number: string; type: string; status: string; reason: string; photos: number; acceptsPhotos: boolean; lines: Array<{ sku: string; quantity: number }>;
  history: Array<{ at: string; to: string; note: string | null }>;
};

/** A small whole image of the format (the server decodes every pixel). */
const image = (format: 'jpeg' | 'png') => sharp({ create: { width: 16, height: 12, channels: 3, background: '#c03030' } })[format]().toBuffer();
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>');

const PUBLIC_URL = 'https://shop.example.com';
let addressSequence = 0;
/** A client address of its own (the app trusts X-Forwarded-For from loopback), so each test has its own throttle bucket. */
const freshAddress = () => `10.${process.pid % 250}.${Math.floor(++addressSequence / 250)}.${addressSequence % 250}`;

/** Issue 6 item 6 (G1.6): the customer's signed, expiring link to open after-sales cases and follow them, no login. */
describe('customer after-sales links', () => {
  const test = useTestApp({ env: { PUBLIC_URL: PUBLIC_URL } });
  const http = () => test.app.http;
  const links = () => test.app.running.app.get(CustomerLinkService);
  let address = freshAddress();
  beforeEach(() => {
    address = freshAddress();
  });

  const publicGet = (token: string) => http().get(`/api/public/orders/${token}`).set('X-Forwarded-For', address);
  const publicOpen = (token: string, body: Record<string, unknown>) => http().post(`/api/public/orders/${token}/after-sales`).set('X-Forwarded-For', address).send(body);
  const issue = async (orderId: string): Promise<{ url: string; token: string; expiresAt: string }> =>
    (await http().post(`/api/orders/${orderId}/customer-link`).set(test.auth).expect(201)).body;
  const casesOf = async (orderId: string): Promise<Array<{ id: string; number: string }>> =>
    (await http().get('/api/after-sales').query({ orderId }).set(test.auth).expect(200)).body.items;

  /** A paid order of fresh products (named as given), shipped in one step from a fresh warehouse. */
  const shippedOrder = async (quantities: number[], names: string[] = [], ship = true) => {
    const skus = quantities.map(() => unique('CL'));
    const warehouse = unique('WH').slice(0, 30);
    await http().post('/api/warehouses').set(test.auth).send({ code: warehouse, name: warehouse, province: '上海市', city: '上海市', priority: 10 }).expect(201);
    for (const [index, sku] of skus.entries()) {
      await http().post('/api/products').set(test.auth).send({ sku, name: names[index] ?? `商品 ${sku}`, price: '19.90' }).expect(201);
      await http().put(`/api/inventory/${warehouse}/${sku}`).set(test.auth).send({ onHand: 10 }).expect(200);
    }
    const created = (await http().post('/api/orders').set(test.auth).send(orderBody(skus.map((sku, i) => ({ sku, quantity: quantities[i] })))).expect(201)).body;
    await eventually(async () => ((await http().get(`/api/orders/${created.id}`).set(test.auth)).body.status === 'awaiting_shipment' ? true : undefined), {
      what: `order ${created.number} to await shipment`,
    });
    if (ship) await http().post(`/api/orders/${created.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);
    return { order: created as { id: string; number: string }, skus };
  };

  it('issuing a link needs a bearer token and names a known order', async () => {
    const { order } = await shippedOrder([1]);
    expect((await http().post(`/api/orders/${order.id}/customer-link`).expect(401)).body.error.code).toBe('unauthorized');
    expect((await http().post(`/api/orders/${randomUUID()}/customer-link`).set(test.auth).expect(404)).body.error.code).toBe('not_found');
  });

  it('a link is /returns/<token> under the configured PUBLIC_URL, whatever Host the request forged, and lasts the after-sales window', async () => {
    const { order } = await shippedOrder([1]);
    const link = await http().post(`/api/orders/${order.number}/customer-link`).set(test.auth).set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example').expect(201);
    expect(link.body).toEqual({ url: expect.stringMatching(/^https:\/\/shop\.example\.com\/returns\/[\w-]+\.[\w-]{43}$/), token: expect.any(String), expiresAt: expect.any(String) });
    expect(link.body.url.endsWith(`/returns/${link.body.token}`)).toBe(true);
    const windowDays = (await http().get('/api/settings').set(test.auth).expect(200)).body.afterSales.windowDays as number;
    expect(Math.abs(Date.parse(link.body.expiresAt) - (Date.now() + windowDays * 86_400_000))).toBeLessThan(60_000);
  });

  it('the public view shows the lines with what is still returnable, the cases and the allowed types, and nothing personal', async () => {
    const { order, skus } = await shippedOrder([2, 1]);
    const staffCase = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'too small' }).expect(201)).body;
    const { token } = await issue(order.id);

    const view = await publicGet(token).expect(200);
    expect(view.headers['cache-control']).toBe('no-store');
    expect(Object.keys(view.body).sort()).toEqual(['caseTypes', 'cases', 'order', 'parcels']);
    expect(Object.keys(view.body.order).sort()).toEqual(['lines', 'number', 'placedAt', 'status']);
    expect(view.body.order).toMatchObject({ number: order.number, status: 'shipped' });
    expect(view.body.order.lines as PublicLine[]).toEqual([
      { sku: skus[0], name: `商品 ${skus[0]}`, quantity: 2, shipped: 2, returnable: 1 },
      { sku: skus[1], name: `商品 ${skus[1]}`, quantity: 1, shipped: 1, returnable: 1 },
    ]);
    expect(view.body.caseTypes).toEqual([...CASE_TYPES]); // a shipped order allows every type, lost included
    expect(view.body.cases).toEqual([
      {
        number: staffCase.number, type: 'return', status: 'requested', reason: 'too small', photos: 0, acceptsPhotos: true, lines: [{ sku: skus[0], name: `商品 ${skus[0]}`, quantity: 1 }],
        createdAt: expect.any(String), updatedAt: expect.any(String), history: [{ at: expect.any(String), to: 'requested', note: null }],
      },
    ]);
    const text = JSON.stringify(view.body);
    for (const personal of ['13800138000', '张三', 'zhangsan@example.com', '文三路', '西湖区', '杭州市', 'admin@test.local', order.id]) expect(text).not.toContain(personal);

    // a rejected case gives its units back
    await http().post(`/api/after-sales/${staffCase.id}/reject`).set(test.auth).send({ reason: 'outside policy' }).expect(200);
    const after = (await publicGet(token).expect(200)).body;
    expect((after.order.lines as PublicLine[]).map((line) => line.returnable)).toEqual([2, 1]);
    // the rejection's reason was sent to the customer (after-sales-rejected): the one note the page keeps
    expect(after.cases[0]).toMatchObject({ status: 'rejected', acceptsPhotos: false, history: [{ to: 'requested', note: null }, { to: 'rejected', note: 'outside policy' }] });
  });

  it('a return opened through the link is requested, shows in the public view, and its history names the customer link', async () => {
    const { order, skus } = await shippedOrder([2]);
    const { token } = await issue(order.id);
    const opened = await publicOpen(token, { type: 'return', lines: [{ sku: skus[0], quantity: 2 }], reason: '尺码不合适', description: 'too small' }).expect(201);
    const view = opened.body as PublicCase;
    expect(Object.keys(view).sort()).toEqual(['acceptsPhotos', 'createdAt', 'history', 'lines', 'number', 'photos', 'reason', 'status', 'type', 'updatedAt']);
    expect(view).toMatchObject({ number: expect.stringMatching(/^AS\d{12}$/), type: 'return', status: 'requested', lines: [{ sku: skus[0], quantity: 2 }] });

    const publicView = (await publicGet(token).expect(200)).body;
    expect(publicView.cases).toEqual([view]);
    expect(publicView.order.lines[0]).toMatchObject({ shipped: 2, returnable: 0 });

    const staffView = (await http().get(`/api/after-sales/${view.number}`).set(test.auth).expect(200)).body;
    expect(staffView).toMatchObject({ orderId: order.id, status: 'requested', reason: '尺码不合适', description: 'too small', openedBy: `customer via link ${order.number}` });
    expect(staffView.history).toEqual([expect.objectContaining({ from: null, to: 'requested', by: `customer via link ${order.number}` })]);
    expect((await http().get(`/api/after-sales/${staffView.id}`).set(test.auth).expect(200)).body.number).toBe(view.number);
  });

  it('a double submit opens one case (200 with it the second time); a different request opens another', async () => {
    const { order, skus } = await shippedOrder([3]);
    const { token } = await issue(order.id);
    const body = { type: 'exchange', lines: [{ sku: skus[0], quantity: 1 }], reason: '颜色不对' };
    const [first, second] = await Promise.all([publicOpen(token, body), publicOpen(token, body)]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.number).toBe(second.body.number);
    const third = await publicOpen(token, body).expect(200);
    expect(third.body.number).toBe(first.body.number);
    expect(await casesOf(order.id)).toHaveLength(1);

    const other = await publicOpen(token, { ...body, reason: '另一件也不对' }).expect(201);
    expect(other.body.number).not.toBe(first.body.number);
    expect(await casesOf(order.id)).toHaveLength(2);
  });

  it("the service's 422 and 409 pass through unchanged and create nothing; the body is validated like the staff route", async () => {
    const { order, skus } = await shippedOrder([1]);
    const { token } = await issue(order.id);
    const over = await publicOpen(token, { type: 'return', lines: [{ sku: skus[0], quantity: 2 }], reason: 'too many' }).expect(422);
    expect(over.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'lines[0].quantity', message: expect.stringContaining('more than the 1 left') }] });
    const unknownSku = await publicOpen(token, { type: 'return', lines: [{ sku: 'NOPE', quantity: 1 }], reason: 'x' }).expect(422);
    expect(unknownSku.body.error.details).toEqual([{ path: 'lines[0].sku', message: expect.stringContaining('has no line of NOPE') }]);
    const malformed = await publicOpen(token, { type: 'swap', lines: [{ sku: skus[0], quantity: 0 }], reason: '', extra: 1 }).expect(422);
    expect((malformed.body.error.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['extra', 'lines[0].quantity', 'reason', 'type']);
    expect(await casesOf(order.id)).toEqual([]);

    const waiting = await shippedOrder([1], [], false);
    const notShipped = (await issue(waiting.order.id)).token;
    expect((await publicGet(notShipped).expect(200)).body.caseTypes).toEqual([]);
    const refused = await publicOpen(notShipped, { type: 'return', lines: [{ sku: waiting.skus[0], quantity: 1 }], reason: 'x' }).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('awaiting_shipment') });
    expect(await casesOf(waiting.order.id)).toEqual([]);
  });

  it('a tampered, foreign-signed, expired or unknown-order link is the same 404 not_found', async () => {
    const { order, skus } = await shippedOrder([1]);
    const { token } = await issue(order.id);
    const [payload, signature] = token.split('.');
    const other = await shippedOrder([1]);
    const foreignPayload = Buffer.from(JSON.stringify({ o: other.order.id, e: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const bad = {
      tamperedSignature: `${payload}.${flipped}`,
      tamperedPayload: `${foreignPayload}.${signature}`,
      otherKey: `${payload}.${createHmac('sha256', 'not-our-secret').update(payload).digest('base64url')}`,
      otherKeyOtherOrder: `${foreignPayload}.${createHmac('sha256', 'not-our-secret').update(foreignPayload).digest('base64url')}`,
      expired: await links().sign({ o: order.id, e: Math.floor(Date.now() / 1000) - 1 }),
      unknownOrder: await links().sign({ o: randomUUID(), e: Math.floor(Date.now() / 1000) + 3600 }),
      notAnOrderId: await links().sign({ o: order.number, e: Math.floor(Date.now() / 1000) + 3600 }),
      garbage: 'not-a-token',
    };
    const messages = new Set<string>();
    for (const [what, badToken] of Object.entries(bad)) {
      const got = await publicGet(badToken);
      expect({ what, status: got.status, code: got.body.error?.code }).toEqual({ what, status: 404, code: 'not_found' });
      messages.add(got.body.error.message);
      const posted = await publicOpen(badToken, { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: 'x' });
      expect({ what, status: posted.status }).toEqual({ what, status: 404 });
    }
    expect(messages.size).toBe(1); // nothing tells which check failed
    expect(await casesOf(order.id)).toEqual([]);

    // 5 s, not 1: on a loaded CI machine the first request alone took over a second, and the link had expired before it
    const shortLived = await links().issue(order.id, { lifetimeSeconds: 5 });
    await publicGet(shortLived.token).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 6100));
    await publicGet(shortLived.token).expect(404);
  });

  it('the page is self-contained HTML with a strict CSP and the order number; a bad link gets the friendly expired page', async () => {
    const { order } = await shippedOrder([1]);
    const { token, url } = await issue(order.id);
    const page = await http().get(new URL(url).pathname).set('X-Forwarded-For', address).expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[\w+/=]+'(;|$)/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain(order.number);
    expect(page.text).toContain('申请售后');
    expect(page.text).toContain('Request after-sales');
    expect(page.text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/); // no external assets
    expect(page.text).not.toContain(token); // the script reads it from the address

    const expired = await http().get(`/returns/${await links().sign({ o: order.id, e: 1 })}`).set('X-Forwarded-For', address).expect(404);
    expect(expired.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(expired.headers['content-security-policy']).toContain("default-src 'none'");
    expect(expired.text).toContain('链接已失效');
    expect(expired.text).toContain('This link has expired');
    expect(expired.text).not.toContain(order.number);
    await http().get('/returns/whatever').set('X-Forwarded-For', address).expect(404);
  });

  it(`a link takes ${PUBLIC_REQUESTS_PER_TOKEN} requests a minute, an address ${PUBLIC_REQUESTS_PER_ADDRESS}: then 429 rate_limited with Retry-After`, async () => {
    const { order } = await shippedOrder([1]);
    const { token } = await issue(order.id);
    for (let i = 0; i < PUBLIC_REQUESTS_PER_TOKEN; i++) await publicGet(token).expect(200);
    const limited = await publicGet(token).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    await publicOpen(token, { type: 'return', lines: [], reason: 'x' }).expect(429); // before the body is even validated
    const page = await http().get(`/returns/${token}`).set('X-Forwarded-For', address).expect(429);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['retry-after']).toBeDefined();

    // another link is still served to this address; an address that used its minute is refused for any link
    const fresh = (await links().issue(order.id, { lifetimeSeconds: 3600 })).token; // another expiry: another link (one issued in the same second is the same)
    await publicGet(fresh).expect(200);
    address = freshAddress();
    for (let i = 0; i < PUBLIC_REQUESTS_PER_ADDRESS; i++) await publicGet(`guess-${i}`).expect(404);
    const byAddress = await publicGet(fresh).expect(429);
    expect(byAddress.headers['retry-after']).toBeDefined();
    address = freshAddress();
    await publicGet(fresh).expect(200);
  });

  /** G5.5: the order's parcels as the customer follows them. */
  it('the public view shows each parcel: the carrier in Chinese, its tracking number and the events newest first', async () => {
    const { order } = await shippedOrder([1]);
    const [shipment] = (await http().get(`/api/orders/${order.id}`).set(test.auth).expect(200)).body.shipments;
    await http().post('/api/carriers/sf/events').set(test.auth).send({
      trackingNumber: shipment.trackingNumber,
      events: [
        { at: '2026-12-05T08:00:00+08:00', status: 'in_transit', location: '上海市', description: '快件已从上海转运中心发出' },
        { at: '2026-12-06T09:30:00+08:00', status: 'out_for_delivery', location: '杭州市', description: '快递员正在派送' },
      ],
    }).expect(200);
    const { token } = await issue(order.id);
    const { parcels } = (await publicGet(token).expect(200)).body;
    expect(parcels).toEqual([{
      carrier: 'sf', carrierName: '顺丰速运', trackingNumber: shipment.trackingNumber, status: expect.any(String), trackingUrl: expect.stringContaining(shipment.trackingNumber),
      lines: [{ sku: shipment.lines[0].sku, name: expect.any(String), quantity: 1 }],
      events: [
        { at: expect.stringMatching(/^2026-12-06T01:30/), status: 'out_for_delivery', location: '杭州市', description: '快递员正在派送' },
        { at: expect.stringMatching(/^2026-12-05T00:00/), status: 'in_transit', location: '上海市', description: '快件已从上海转运中心发出' },
      ],
    }]);
  });

  it('the customer adds JPEG and PNG photos to a case; SVG, a renamed text file and an oversize photo are refused and change nothing', async () => {
    const { order, skus } = await shippedOrder([1]);
    const { token } = await issue(order.id);
    const opened = (await publicOpen(token, { type: 'damaged', lines: [{ sku: skus[0], quantity: 1 }], reason: '外包装破损' }).expect(201)).body as PublicCase;
    const upload = (file: Buffer, name: string, caseNumber = opened.number, link = token) =>
      http().post(`/api/public/orders/${link}/after-sales/${caseNumber}/photos`).set('X-Forwarded-For', address).attach('file', file, name);

    const jpeg = await upload(await image('jpeg'), '破损.jpg').expect(201);
    expect(jpeg.headers['cache-control']).toBe('no-store');
    expect(jpeg.body).toMatchObject({ number: opened.number, photos: 1, acceptsPhotos: true });
    expect((await upload(await image('png'), 'box.png').expect(201)).body.photos).toBe(2);

    expect((await upload(SVG, 'photo.svg').expect(422)).body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'file', message: expect.stringContaining('JPEG, PNG or WebP') }] });
    await upload(Buffer.from('not an image at all'), 'photo.jpg').expect(422);
    await upload(Buffer.concat([await image('png'), Buffer.alloc(5 * 1024 * 1024)]), 'huge.png').expect(413);
    // a case of another order, and a bad link, take nothing
    await upload(await image('png'), 'x.png', 'AS000000000000').expect(404);
    await upload(await image('png'), 'x.png', opened.number, `${token.slice(0, -2)}xx`).expect(404);

    const staff = (await http().get(`/api/after-sales/${opened.number}`).set(test.auth).expect(200)).body;
    expect(staff.attachments.map((a: { fileName: string; contentType: string; uploadedBy: string }) => [a.fileName, a.contentType, a.uploadedBy])).toEqual([
      ['破损.jpg', 'image/jpeg', `customer via link ${order.number}`],
      ['box.png', 'image/png', `customer via link ${order.number}`],
    ]);
    // the staff's notes ("damaged for order …", "evidence attached") stay inside; the customer's page shows the steps only
    expect(staff.history.map((entry: { note: string }) => entry.note).join(' ')).toMatch(/damaged for order .*evidence attached/);
    const { cases } = (await publicGet(token).expect(200)).body;
    expect(cases[0].history).toEqual([{ at: expect.any(String), to: 'requested', note: null }]);
    expect(JSON.stringify(cases)).not.toMatch(/for order|evidence|attached/);

    // a closed case takes no more photos
    await http().post(`/api/after-sales/${staff.id}/reject`).set(test.auth).send({ reason: '超过售后期限' }).expect(200);
    await upload(await image('png'), 'late.png').expect(409);
  });

  describe('in a browser (Debian chromium)', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => browser?.close());

    it('the page lists the lines, opens a return and shows it with its status; names and reasons stay text', async () => {
      const evilName = '<img src=x onerror="window.__xss=1">茶杯';
      const { order } = await shippedOrder([2, 1], [evilName, '茶壶']);
      const { url } = await issue(order.id);
      const page = await (await browser.newContext()).newPage();
      page.setDefaultTimeout(15_000);
      const errors = collectPageErrors(page);
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy|Trusted Type/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${baseUrl(test.app)}${new URL(url).pathname}`);
      await page.locator('#lines tr').first().waitFor();
      expect(await page.locator('#order-number').textContent()).toBe(order.number);
      expect(await page.locator('#lines tr').first().locator('td').first().textContent()).toBe(evilName);
      expect(await page.locator('#case-type option').count()).toBe(CASE_TYPES.length);

      await page.selectOption('#case-type', 'return');
      await page.fill('#qty-0', '3');
      await page.fill('#case-reason', 'x');
      await page.click('#submit');
      await page.locator('#form-error').getByText('at most 2').waitFor(); // checked before sending
      await page.fill('#qty-0', '2');
      const evilReason = '<script>window.__xss=2</script>破了';
      await page.fill('#case-reason', evilReason);
      await page.click('#submit');
      await page.locator('#notice').getByText('Request submitted').waitFor();
      await page.locator('#cases li').first().waitFor();
      expect(await page.locator('#cases .status').first().textContent()).toBe('已申请 Requested');
      expect(await page.locator('#cases .meta', { hasText: 'Reason' }).first().textContent()).toContain(evilReason);
      expect(await page.locator('#cases .history li').first().textContent()).toContain('已提交申请，等待客服审核');
      expect(await page.locator('#lines tr').first().locator('td').last().textContent()).toBe('0'); // nothing left to return of it
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      expect(await page.locator('#lines img, #cases script, #cases img').count()).toBe(0);
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/oms-customer-page.png`, fullPage: true });
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
      expect((await casesOf(order.id)).length).toBe(1);
      // Trusted Types (the CSP): even a script of the page's own cannot write HTML strings into it
      const write = `(() => { try { document.body.innerHTML = '<b>x</b>'; return 'written'; } catch { return 'refused'; } })()`;
      expect(await page.evaluate(write)).toBe('refused');

      await page.goto(`${baseUrl(test.app)}/returns/${await links().sign({ o: order.id, e: 1 })}`);
      expect(await page.locator('h1').textContent()).toContain('This link has expired');
    }, 60_000);

    it('the page shows the parcel\'s tracking in Chinese, takes a photo, refuses an SVG, and words the history for the customer', async () => {
      const { order, skus } = await shippedOrder([1], ['青花瓷茶杯']);
      const [shipment] = (await http().get(`/api/orders/${order.id}`).set(test.auth).expect(200)).body.shipments;
      await http().post('/api/carriers/sf/events').set(test.auth).send({
        trackingNumber: shipment.trackingNumber, events: [{ at: '2026-12-05T08:00:00+08:00', status: 'in_transit', location: '上海市', description: '快件已从上海转运中心发出' }],
      }).expect(200);
      const caseView = (await http().post(`/api/orders/${order.id}/after-sales`).set(test.auth).send({ type: 'damaged', lines: [{ sku: skus[0], quantity: 1 }], reason: '杯口有裂纹' }).expect(201)).body;
      const { url } = await issue(order.id);
      const page = await (await browser.newContext({ viewport: { width: 420, height: 900 } })).newPage();
      page.setDefaultTimeout(15_000);
      const errors = collectPageErrors(page);
      await page.goto(`${baseUrl(test.app)}${new URL(url).pathname}`);
      const parcel = page.locator('#parcels li').first();
      await parcel.waitFor();
      expect(await parcel.locator('.case-head').textContent()).toContain(`顺丰速运 · 运单号 ${shipment.trackingNumber}`);
      expect(await parcel.locator('.history li').first().textContent()).toMatch(/上海市 — 快件已从上海转运中心发出/);
      expect(await parcel.textContent()).toContain('青花瓷茶杯 × 1');

      const item = page.locator('#cases > li').first();
      await item.waitFor();
      const history = await item.locator('.history').textContent();
      expect(history).toContain('已提交申请，等待客服审核');
      expect(history).not.toMatch(/for order|damaged/);
      expect(await item.textContent()).toContain('杯口有裂纹');

      const input = item.locator('input[type=file]');
      await input.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: SVG });
      await item.getByRole('button', { name: /上传照片/ }).click();
      await item.locator('.error').getByText('仅支持 JPG、PNG 或 WebP 格式的照片').waitFor();
      await input.setInputFiles({ name: '裂纹.png', mimeType: 'image/png', buffer: await image('png') });
      await item.getByRole('button', { name: /上传照片/ }).click();
      await page.locator('#notice').getByText('照片已上传').waitFor();
      await page.locator('#cases > li').first().getByText('已上传照片 Photos: 1').waitFor();
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp'}/oms-customer-page-tracking.png`, fullPage: true });
      expect((await http().get(`/api/after-sales/${caseView.id}`).set(test.auth).expect(200)).body.attachments).toHaveLength(1);
      expect(errors).toEqual([]);
    }, 60_000);
  });
});
