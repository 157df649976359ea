import { PUBLIC_REQUESTS_PER_ADDRESS, PUBLIC_REQUESTS_PER_TOKEN } from '../../src/after-sales/customer-link-throttle';
import { TEST_SENDS_PER_HOUR } from '../../src/notifications/test-send-policy';
import { shippedOrder, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/test-database';

let addressSequence = 0;
const freshAddress = () => `10.${(process.pid % 200) + 50}.${Math.floor(++addressSequence / 250)}.${addressSequence % 250}`;

/**
 * Issue 11 item 6: throttles live in PostgreSQL, so two processes of the service (here two app instances on one
 * database) count one limit between them instead of each allowing it in full. The embedded database serves one process.
 */
(TEST_DATABASE_URL ? describe : describe.skip)('throttles shared by every process on one PostgreSQL', () => {
  let database: TestDatabase;
  let apps: TestApp[];
  let auths: Array<Record<string, string>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    apps = [await startTestApp({ database }), await startTestApp({ database })];
    auths = await Promise.all(apps.map(async (app) => ({ Authorization: `Bearer ${await app.login()}` })));
  });
  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await database?.drop();
  });

  /** Each request goes to the other process than the one before. */
  const alternate = (index: number) => apps[index % 2];

  it(`a customer link takes ${PUBLIC_REQUESTS_PER_TOKEN} requests a minute across both processes, then 429 with Retry-After on either`, async () => {
    const token = unique('link');
    for (let i = 0; i < PUBLIC_REQUESTS_PER_TOKEN; i++) {
      await alternate(i).http.get(`/api/public/orders/${token}`).set('X-Forwarded-For', freshAddress()).expect(404);
    }
    for (const app of apps) {
      const limited = await app.http.get(`/api/public/orders/${token}`).set('X-Forwarded-For', freshAddress()).expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    await apps[1].http.get(`/returns/${token}`).set('X-Forwarded-For', freshAddress()).expect(429);
  });

  it(`an address takes ${PUBLIC_REQUESTS_PER_ADDRESS} requests a minute across both processes`, async () => {
    const address = freshAddress();
    for (let i = 0; i < PUBLIC_REQUESTS_PER_ADDRESS; i++) {
      await alternate(i).http.get(`/api/public/orders/${unique('guess')}`).set('X-Forwarded-For', address).expect(404);
    }
    for (const app of apps) await app.http.get(`/api/public/orders/${unique('guess')}`).set('X-Forwarded-For', address).expect(429);
    await apps[0].http.get(`/api/public/orders/${unique('guess')}`).set('X-Forwarded-For', freshAddress()).expect(404);
  });

  it(`a sender makes ${TEST_SENDS_PER_HOUR} template test sends an hour across both processes, then 429 with Retry-After`, async () => {
    const testSend = (index: number) => alternate(index).http.post('/api/notification-templates/email/zh-CN/order-confirmation/test-send').set(auths[index % 2]).send({ to: ADMIN_EMAIL });
    for (let i = 0; i < TEST_SENDS_PER_HOUR; i++) await testSend(i).expect(200);
    for (const index of [0, 1]) {
      const limited = await testSend(index).expect(429);
      expect(limited.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining(`${TEST_SENDS_PER_HOUR} test messages an hour`) });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(3600);
    }
  });

  it("a customer's double submit sent to both processes at once opens one case (issue 12 item 2: the check holds the order's row lock)", async () => {
    const { order, skus } = await shippedOrder(apps[0], auths[0], [2]);
    const { token } = (await apps[0].http.post(`/api/orders/${order.id}/customer-link`).set(auths[0]).send({}).expect(201)).body;
    const body = { type: 'return', lines: [{ sku: skus[0], quantity: 1 }], reason: '尺码不合适' };
    const answers = await Promise.all(apps.map((app) => app.http.post(`/api/public/orders/${token}/after-sales`).set('X-Forwarded-For', freshAddress()).send(body)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
    expect(answers[0].body.number).toBe(answers[1].body.number);
    const cases = (await apps[1].http.get('/api/after-sales').query({ orderId: order.id }).set(auths[1]).expect(200)).body;
    expect(cases.total).toBe(1);
  });
});
