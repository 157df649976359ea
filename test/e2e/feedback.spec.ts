import { DataSource } from 'typeorm';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, useTestApp } from '../helpers/test-app';

type Order = { id: string; number: string; status: string; shipments: Array<{ warehouse: string; status: string }> };
type Feedback = { id: string; orderId: string; orderNumber: string; rating: number; comment: string | null; createdAt: string; createdBy: string };
type Ratings = Record<'1' | '2' | '3' | '4' | '5', number>;
type ProductRow = { sku: string; name: string; feedbackCount: number; averageRating: number; ratings: Ratings };
type WarehouseRow = { warehouse: string; feedbackCount: number; averageRating: number; ratings: Ratings };

const ratings = (counts: Partial<Ratings>): Ratings => ({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, ...counts });

/** The shop's day (settings' default time zone, Asia/Shanghai) of an instant, shifted by `days`. */
const shopDay = (at: string, days = 0) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(new Date(at).getTime() + days * 86_400_000));

/** API.md "After-sales" `POST /api/orders/{id}/feedback` (G1.6 order feedback), on the real PostgreSQL. */
describe('order feedback', () => {
  const test = useTestApp();

  const getOrder = async (id: string): Promise<Order> => (await test.app.http.get(`/api/orders/${id}`).set(test.auth).expect(200)).body;
  const waitFor = (id: string, status: string) =>
    eventually(async () => {
      const order = await getOrder(id);
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const awaitingShipment = async (lines: Array<{ sku: string; quantity: number }>) =>
    waitFor((await test.app.http.post('/api/orders').set(test.auth).send(orderBody(lines)).expect(201)).body.id, 'awaiting_shipment');
  /** A paid order shipped in one step under a fresh tracking number. */
  const shipped = async (lines: Array<{ sku: string; quantity: number }>) => {
    const order = await awaitingShipment(lines);
    const trackingNumber = `SF${Date.now()}${Math.floor(Math.random() * 1000)}`.slice(0, 30);
    const body = (await test.app.http.post(`/api/orders/${order.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber }).expect(200)).body;
    expect(body.status).toBe('shipped');
    return { order: body as Order, trackingNumber };
  };
  const postFeedback = (id: string, body: unknown) => test.app.http.post(`/api/orders/${id}/feedback`).set(test.auth).send(body as object);
  const storedFeedback = async (orderId: string) =>
    (await test.app.running.app.get(DataSource).query(`SELECT rating, comment FROM order_feedback WHERE order_id = $1`, [orderId])) as Array<{ rating: number; comment: string | null }>;

  let sku: string;
  beforeAll(async () => {
    sku = unique('FB');
    await stockedCatalogue(test.app, await test.app.login(), { [sku]: 100 });
  });

  it('a shipped order takes one rating with a comment: 201 with the feedback, which GET by id or number returns', async () => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    const created = (await postFeedback(order.number, { rating: 4, comment: '  包装完好，送货很快  ' }).expect(201)).body as Feedback;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId: order.id,
      orderNumber: order.number,
      rating: 4,
      comment: '包装完好，送货很快',
      createdAt: expect.any(String),
      createdBy: ADMIN_EMAIL,
    });
    expect(Math.abs(Date.parse(created.createdAt) - Date.now())).toBeLessThan(60_000);
    expect((await test.app.http.get(`/api/orders/${order.id}/feedback`).set(test.auth).expect(200)).body).toEqual(created);
    expect((await test.app.http.get(`/api/orders/${order.number}/feedback`).set(test.auth).expect(200)).body).toEqual(created);
  });

  it('a second feedback for the order is 409 conflict and the first one stays as it was', async () => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    const first = (await postFeedback(order.id, { rating: 2 }).expect(201)).body as Feedback;
    expect(first.comment).toBeNull();
    const second = (await postFeedback(order.id, { rating: 5, comment: 'changed my mind' }).expect(409)).body.error;
    expect(second.code).toBe('conflict');
    expect(second.message).toContain(order.number);
    expect((await test.app.http.get(`/api/orders/${order.id}/feedback`).set(test.auth).expect(200)).body).toEqual(first);
    expect(await storedFeedback(order.id)).toEqual([{ rating: 2, comment: null }]);
  });

  it('10 concurrent feedbacks for one order: exactly one 201, nine 409 conflict, one row stored', async () => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => postFeedback(order.id, { rating: (i % 5) + 1, comment: `attempt ${i}` })));
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error.code === 'conflict')).toBe(true);
    const winner = responses.find((r) => r.status === 201)!.body as Feedback;
    expect(await storedFeedback(order.id)).toEqual([{ rating: winner.rating, comment: winner.comment }]);
  });

  it.each([
    ['rating 0', { rating: 0 }, 'rating'],
    ['rating 6', { rating: 6 }, 'rating'],
    ['rating 2.5', { rating: 2.5 }, 'rating'],
    ['rating "5" as a string', { rating: '5' }, 'rating'],
    ['no rating', { comment: 'fine' }, 'rating'],
    ['an unknown field', { rating: 5, stars: 5 }, 'stars'],
    ['a comment over 1000 characters', { rating: 5, comment: 'x'.repeat(1001) }, 'comment'],
    ['a comment that is not a string', { rating: 5, comment: 42 }, 'comment'],
  ])('%s is 422 validation_failed naming the field, and nothing is stored', async (_, body, path) => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    const error = (await postFeedback(order.id, body).expect(422)).body.error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await storedFeedback(order.id)).toEqual([]);
    await test.app.http.get(`/api/orders/${order.id}/feedback`).set(test.auth).expect(404);
  });

  it('a comment of exactly 1000 characters is taken', async () => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    expect((await postFeedback(order.id, { rating: 3, comment: '好'.repeat(1000) }).expect(201)).body.comment).toHaveLength(1000);
  });

  it('an order awaiting shipment is 409 invalid_state naming its status, and nothing is stored', async () => {
    const order = await awaitingShipment([{ sku, quantity: 1 }]);
    const error = (await postFeedback(order.id, { rating: 5 }).expect(409)).body.error;
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('awaiting_shipment');
    expect(await storedFeedback(order.id)).toEqual([]);
  });

  it('a cancelled order is 409 invalid_state', async () => {
    const order = await awaitingShipment([{ sku, quantity: 1 }]);
    await test.app.http.post(`/api/orders/${order.id}/cancel`).set(test.auth).send({ reason: 'customer cancelled' }).expect(200);
    expect((await postFeedback(order.id, { rating: 1 }).expect(409)).body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('cancelled') });
  });

  it('an unknown order is 404 for posting and reading; a rated-never order reads 404', async () => {
    expect((await postFeedback('SO000000000000', { rating: 5 }).expect(404)).body.error.code).toBe('not_found');
    await postFeedback('00000000-0000-4000-8000-000000000000', { rating: 5 }).expect(404);
    await test.app.http.get('/api/orders/SO000000000000/feedback').set(test.auth).expect(404);
    const { order } = await shipped([{ sku, quantity: 1 }]);
    expect((await test.app.http.get(`/api/orders/${order.id}/feedback`).set(test.auth).expect(404)).body.error.code).toBe('not_found');
  });

  it('without a token every feedback route is 401', async () => {
    const { order } = await shipped([{ sku, quantity: 1 }]);
    expect((await test.app.http.post(`/api/orders/${order.id}/feedback`).send({ rating: 5 }).expect(401)).body.error.code).toBe('unauthorized');
    await test.app.http.get(`/api/orders/${order.id}/feedback`).expect(401);
    await test.app.http.get('/api/feedback/summary').expect(401);
    expect(await storedFeedback(order.id)).toEqual([]);
  });

  describe('summary', () => {
    const [a, b, c] = [unique('FBA'), unique('FBB'), unique('FBC')];
    const [w1, w2] = [unique('FW1').slice(0, 30), unique('FW2').slice(0, 30)];
    let createdAt: string;

    const summary = async (query: string) => (await test.app.http.get(`/api/feedback/summary${query}`).set(test.auth).expect(200)).body;
    const productRows = async (query = '') => ((await summary(query)).rows as ProductRow[]).filter((row) => [a, b, c].includes(row.sku));
    const warehouseRows = async (query: string) => ((await summary(query)).rows as WarehouseRow[]).filter((row) => [w1, w2].includes(row.warehouse));

    beforeAll(async () => {
      const token = await test.app.login();
      await stockedCatalogue(test.app, token, { [a]: 50, [b]: 50 }, w1);
      await stockedCatalogue(test.app, token, { [c]: 50 }, w2);
      // o3 has B in w1 and C in w2 only: it is split across both (the default partial-stock policy)
      const o1 = await shipped([{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]);
      const o2 = await shipped([{ sku: a, quantity: 1 }, { sku: a, quantity: 2 }]); // A listed twice counts once
      const o3 = await shipped([{ sku: b, quantity: 1 }, { sku: c, quantity: 1 }]);
      const o4 = await shipped([{ sku: c, quantity: 1 }]);
      const o7 = await shipped([{ sku: a, quantity: 1 }]);
      await shipped([{ sku: a, quantity: 1 }, { sku: c, quantity: 1 }]); // shipped, never rated: not counted
      // o8 ships from w1 only; cancelling the rest cancels its w2 shipment and it counts as shipped: w2 did not fulfil it
      const o8 = await awaitingShipment([{ sku: a, quantity: 1 }, { sku: c, quantity: 1 }]);
      await test.app.http.post(`/api/orders/${o8.id}/shipments`).set(test.auth).send({ carrier: 'sf', trackingNumber: `SF${Date.now()}8`, warehouse: w1 }).expect(200);
      const rest = (await test.app.http.post(`/api/orders/${o8.id}/cancel`).set(test.auth).send({ reason: 'C no longer wanted' }).expect(200)).body as Order;
      expect(rest.status).toBe('shipped');
      expect(rest.shipments.map((shipment) => [shipment.warehouse, shipment.status]).sort()).toEqual([[w1, 'shipped'], [w2, 'cancelled']].sort());
      await awaitingShipment([{ sku: b, quantity: 1 }]); // not rateable yet
      expect(o3.order.shipments.map((shipment) => shipment.warehouse).sort()).toEqual([w1, w2].sort());

      // delivered and completed orders are rated too
      await test.app.http.post('/api/carriers/sf/events').set(test.auth).send({ trackingNumber: o4.trackingNumber, events: [{ at: new Date().toISOString(), status: 'delivered' }] }).expect(200);
      await waitFor(o4.order.id, 'delivered');
      expect((await test.app.http.post(`/api/orders/${o2.order.id}/confirm-receipt`).set(test.auth).expect(200)).body.status).toBe('completed');

      createdAt = (await postFeedback(o1.order.id, { rating: 2 }).expect(201)).body.createdAt;
      await postFeedback(o2.order.id, { rating: 5 }).expect(201);
      await postFeedback(o3.order.id, { rating: 4 }).expect(201);
      await postFeedback(o4.order.id, { rating: 1 }).expect(201);
      await postFeedback(o7.order.id, { rating: 4 }).expect(201);
      await postFeedback(o8.id, { rating: 3 }).expect(201);
    });

    it('by product (the default): every SKU on each rated order once, unrated orders left out, worst average first, averages to 2 decimals', async () => {
      const body = await summary('');
      expect(body.by).toBe('product');
      expect(await productRows()).toEqual([
        { sku: c, name: `Product ${c}`, feedbackCount: 3, averageRating: 2.67, ratings: ratings({ '1': 1, '3': 1, '4': 1 }) },
        { sku: b, name: `Product ${b}`, feedbackCount: 2, averageRating: 3, ratings: ratings({ '2': 1, '4': 1 }) },
        { sku: a, name: `Product ${a}`, feedbackCount: 4, averageRating: 3.5, ratings: ratings({ '2': 1, '3': 1, '4': 1, '5': 1 }) },
      ]);
      expect(await productRows('?by=product')).toEqual(await productRows());
    });

    it('by warehouse: the warehouses of each rated order\'s non-cancelled shipments, worst average first', async () => {
      const body = await summary('?by=warehouse');
      expect(body.by).toBe('warehouse');
      expect(await warehouseRows('?by=warehouse')).toEqual([
        { warehouse: w2, feedbackCount: 2, averageRating: 2.5, ratings: ratings({ '1': 1, '4': 1 }) },
        { warehouse: w1, feedbackCount: 5, averageRating: 3.6, ratings: ratings({ '2': 1, '3': 1, '4': 2, '5': 1 }) },
      ]);
    });

    it('from/to are inclusive days of the shop: the day of the feedback keeps it, the days around it leave it out', async () => {
      const day = shopDay(createdAt);
      expect(await warehouseRows(`?by=warehouse&from=${day}&to=${day}`)).toHaveLength(2);
      expect(await productRows(`?from=${day}`)).toHaveLength(3);
      expect(await productRows(`?to=${day}`)).toHaveLength(3);
      expect(await productRows(`?from=${shopDay(createdAt, 1)}`)).toEqual([]);
      expect(await warehouseRows(`?by=warehouse&to=${shopDay(createdAt, -1)}`)).toEqual([]);
    });

    it.each([
      ['by=customer', 'by'],
      ['by=product&by=warehouse', 'by'],
      ['from=2026-02-30', 'from'],
      ['from=20260101', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      ['group=sku', 'group'],
    ])('?%s is 422 validation_failed', async (query, path) => {
      const error = (await test.app.http.get(`/api/feedback/summary?${query}`).set(test.auth).expect(422)).body.error;
      expect(error.code).toBe('validation_failed');
      expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    });
  });
});
