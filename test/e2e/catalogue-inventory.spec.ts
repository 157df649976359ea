import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

interface Level {
  warehouse: string;
  sku: string;
  bin: string | null;
  onHand: number;
  reserved: number;
  available: number;
}

/** API.md "Catalogue and stock" (G1.3, G2.3): products, warehouses, levels, adjustments, the stock list. */
describe('catalogue and inventory over HTTP', () => {
  let app: TestApp;
  let token: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  const expectValidation = (body: { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } }, path: string) => {
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toEqual(expect.any(String));
    expect(body.error.details).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
  };
  const newWarehouse = async (overrides: Record<string, unknown> = {}) => {
    const code = unique('WH').slice(0, 30);
    const response = await app.http.post('/api/warehouses').set(auth).send({ code, name: `Warehouse ${code}`, province: '上海市', city: '上海市', priority: 10, ...overrides }).expect(201);
    return response.body as { code: string };
  };
  const newProduct = async (overrides: Record<string, unknown> = {}) => {
    const sku = unique('SKU');
    await app.http.post('/api/products').set(auth).send({ sku, name: `Product ${sku}`, price: '19.90', ...overrides }).expect(201);
    return sku;
  };
  const level = async (warehouse: string, sku: string): Promise<Level | undefined> => {
    const body = (await app.http.get('/api/inventory').query({ warehouse, sku }).set(auth).expect(200)).body;
    return body.items[0];
  };
  const productCount = async (q: string) => (await app.http.get('/api/products').query({ q }).set(auth).expect(200)).body.total as number;

  describe('POST /api/products', () => {
    it('a product is 201 and its price comes back as a two-place decimal string', async () => {
      const sku = unique('TEA');
      const response = await app.http.post('/api/products').set(auth)
        .send({ sku, name: '西湖龙井 250g', spec: '250g 罐装', price: '129', purchaseLimit: 5, weightGrams: 300 }).expect(201);
      expect(response.body).toMatchObject({ id: expect.any(String), sku, name: '西湖龙井 250g', spec: '250g 罐装', price: '129.00', purchaseLimit: 5, weightGrams: 300 });
      const fetched = await app.http.get(`/api/products/${sku}`).set(auth).expect(200);
      expect(fetched.body).toMatchObject({ sku, price: '129.00' });
    });

    it.each([
      ['129.5', '129.50'],
      ['0.99', '0.99'],
      ['0', '0.00'],
    ])('price "%s" is stored exactly and shown as "%s"', async (price, shown) => {
      const response = await app.http.post('/api/products').set(auth).send({ sku: unique('P'), name: 'Priced', price }).expect(201);
      expect(response.body.price).toBe(shown);
    });

    it('a duplicate sku is 409 conflict and creates nothing', async () => {
      const sku = await newProduct({ name: 'The original' });
      const response = await app.http.post('/api/products').set(auth).send({ sku, name: 'The copy', price: '1.00' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(sku) });
      const fetched = await app.http.get(`/api/products/${sku}`).set(auth).expect(200);
      expect(fetched.body).toMatchObject({ name: 'The original', price: '19.90' });
      expect(await productCount(sku)).toBe(1);
    });

    it.each([
      ['a missing name', { name: undefined }, 'name'],
      ['a price given as a number', { price: 129 }, 'price'],
      ['a negative price', { price: '-1.00' }, 'price'],
      ['a price with three decimals', { price: '1.005' }, 'price'],
      ['a price that is not a number', { price: 'abc' }, 'price'],
      ['a missing price', { price: undefined }, 'price'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['a purchase limit of 0', { purchaseLimit: 0 }, 'purchaseLimit'],
      ['a name over 200 characters', { name: 'x'.repeat(201) }, 'name'],
    ])('%s is 422 validation_failed naming the path and creates nothing', async (_, overrides, path) => {
      const sku = unique('BAD');
      const response = await app.http.post('/api/products').set(auth).send({ sku, name: 'Bad product', price: '1.00', ...overrides }).expect(422);
      expectValidation(response.body, path);
      await app.http.get(`/api/products/${sku}`).set(auth).expect(404);
    });
  });

  describe('POST /api/warehouses', () => {
    it('a warehouse is 201 with its fields', async () => {
      const code = unique('SH').slice(0, 30);
      const response = await app.http.post('/api/warehouses').set(auth)
        .send({ code, name: '上海青浦仓', province: '上海市', city: '上海市', priority: 1, costPerShipment: '8', isVirtual: false }).expect(201);
      expect(response.body).toMatchObject({ id: expect.any(String), code, name: '上海青浦仓', province: '上海市', city: '上海市', priority: 1, costPerShipment: '8.00', isVirtual: false });
    });

    it('a duplicate warehouse code is 409 conflict and the first warehouse is unchanged', async () => {
      const { code } = await newWarehouse({ name: 'First' });
      const response = await app.http.post('/api/warehouses').set(auth).send({ code, name: 'Second', province: '北京市', city: '北京市', priority: 5 }).expect(409);
      expect(response.body.error.code).toBe('conflict');
      const warehouses = (await app.http.get('/api/warehouses').set(auth).expect(200)).body.items as Array<{ code: string; name: string }>;
      expect(warehouses.filter((w) => w.code === code)).toEqual([expect.objectContaining({ code, name: 'First' })]);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a priority given as a word', { priority: 'high' }, 'priority'],
      ['a priority given as a numeric string', { priority: '10' }, 'priority'],
      ['a fractional priority', { priority: 1.5 }, 'priority'],
      ['a missing province', { province: undefined }, 'province'],
      ['a code with spaces', { code: 'has space' }, 'code'],
    ])('%s is 422 validation_failed and creates nothing', async (_, overrides, path) => {
      const code = unique('BADWH').slice(0, 30);
      const response = await app.http.post('/api/warehouses').set(auth).send({ code, name: 'Bad', province: '上海市', city: '上海市', priority: 10, ...overrides }).expect(422);
      expectValidation(response.body, path);
      const warehouses = (await app.http.get('/api/warehouses').set(auth).expect(200)).body.items as Array<{ code: string }>;
      expect(warehouses.some((w) => w.code === code || w.code === overrides.code)).toBe(false);
    });
  });

  describe('PUT /api/inventory/{warehouse}/{sku}', () => {
    it('sets on-hand and returns the level {warehouse, sku, bin, onHand, reserved, available}', async () => {
      const { code } = await newWarehouse();
      const sku = await newProduct();
      const response = await app.http.put(`/api/inventory/${code}/${sku}`).set(auth).send({ onHand: 25, bin: 'A-01-02' }).expect(200);
      expect(response.body).toEqual({ warehouse: code, sku, bin: 'A-01-02', onHand: 25, reserved: 0, available: 25 });

      const recount = await app.http.put(`/api/inventory/${code}/${sku}`).set(auth).send({ onHand: 7 }).expect(200);
      expect(recount.body).toEqual({ warehouse: code, sku, bin: 'A-01-02', onHand: 7, reserved: 0, available: 7 });
      expect(await level(code, sku)).toEqual(recount.body);
    });

    it('an unknown warehouse in the URL is 404 not_found and creates no level', async () => {
      const sku = await newProduct();
      const response = await app.http.put(`/api/inventory/NO-SUCH-WH/${sku}`).set(auth).send({ onHand: 5 }).expect(404);
      expect(response.body.error).toMatchObject({ code: 'not_found', message: expect.any(String) });
      expect((await app.http.get('/api/inventory').query({ sku }).set(auth).expect(200)).body.total).toBe(0);
    });

    it('an unknown sku in the URL is 404 not_found and creates no level', async () => {
      const { code } = await newWarehouse();
      const response = await app.http.put(`/api/inventory/${code}/NO-SUCH-SKU`).set(auth).send({ onHand: 5 }).expect(404);
      expect(response.body.error.code).toBe('not_found');
      expect((await app.http.get('/api/inventory').query({ warehouse: code }).set(auth).expect(200)).body.total).toBe(0);
    });

    it.each([
      ['a negative on-hand', { onHand: -1 }],
      ['on-hand as a string', { onHand: '5' }],
      ['a fractional on-hand', { onHand: 2.5 }],
      ['no on-hand', {}],
    ])('%s is 422 and the level is unchanged', async (_, body) => {
      const { code } = await newWarehouse();
      const sku = await newProduct();
      await app.http.put(`/api/inventory/${code}/${sku}`).set(auth).send({ onHand: 3 }).expect(200);
      const response = await app.http.put(`/api/inventory/${code}/${sku}`).set(auth).send(body).expect(422);
      expectValidation(response.body, 'onHand');
      expect(await level(code, sku)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    });
  });

  describe('POST /api/inventory/adjustments', () => {
    it('+5 then -3 moves on-hand and answers 200 with the level, like PUT', async () => {
      const sku = unique('ADJ');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 10 });
      const plus = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 5, reason: 'PO-1001 received' }).expect(200);
      expect(plus.body).toEqual({ warehouse, sku, bin: null, onHand: 15, reserved: 0, available: 15 });
      const minus = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: -3, reason: 'damaged in storage' }).expect(200);
      expect(minus.body).toEqual({ warehouse, sku, bin: null, onHand: 12, reserved: 0, available: 12 });
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 12, reserved: 0, available: 12 });
    });

    it('a receipt for a sku with no level yet in that warehouse creates the level', async () => {
      const { code } = await newWarehouse();
      const sku = await newProduct();
      const response = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse: code, sku, delta: 4, reason: 'first delivery' }).expect(200);
      expect(response.body).toMatchObject({ warehouse: code, sku, onHand: 4, reserved: 0, available: 4 });
    });

    it('removing more than is on hand is 409 invalid_state and changes nothing', async () => {
      const sku = unique('ADJ');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 2 });
      const response = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: -3, reason: 'write-off' }).expect(409);
      expect(response.body.error.code).toBe('invalid_state');
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    });

    it('a negative adjustment below what is reserved is 409 invalid_state and changes nothing', async () => {
      const sku = unique('RSV');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 5 });
      const order = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 3 }])).expect(201)).body;
      await eventually(async () => {
        const current = (await app.http.get(`/api/orders/${order.id}`).set(auth).expect(200)).body;
        return current.status === 'awaiting_shipment' ? current : undefined;
      }, { what: 'the order to reserve its stock' });
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });

      const response = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: -3, reason: 'write-off' }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('reserved') });
      expect(await level(warehouse, sku)).toEqual({ warehouse, sku, bin: null, onHand: 5, reserved: 3, available: 2 });

      // a count below what is reserved is refused the same way
      const count = await app.http.put(`/api/inventory/${warehouse}/${sku}`).set(auth).send({ onHand: 2 }).expect(409);
      expect(count.body.error.code).toBe('invalid_state');
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });

      // removing exactly what is available is allowed: available reaches 0, never below
      const exact = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: -2, reason: 'write-off' }).expect(200);
      expect(exact.body).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    });

    it.each([
      ['a delta of 0', { delta: 0 }, 'delta'],
      ['a fractional delta', { delta: 1.5 }, 'delta'],
      ['a delta as a string', { delta: '5' }, 'delta'],
      ['no reason', { reason: undefined }, 'reason'],
      ['an unknown field', { note: 'x' }, 'note'],
    ])('%s is 422 validation_failed and changes nothing', async (_, overrides, path) => {
      const sku = unique('ADJ');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 10 });
      const response = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 5, reason: 'count', ...overrides }).expect(422);
      expectValidation(response.body, path);
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    });

    it('receipts that would take on-hand beyond what a level can hold are 422 naming delta, never a 500', async () => {
      const sku = unique('BIG');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 100_000_000 });
      for (let i = 0; i < 20; i++) {
        await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 100_000_000, reason: 'bulk receipt' }).expect(200);
      }
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 2_100_000_000 });
      const response = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: 100_000_000, reason: 'one too many' }).expect(422);
      expectValidation(response.body, 'delta');
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 2_100_000_000, reserved: 0 });
    });

    it('an unknown warehouse or sku in the body is 422 naming the field, never a 500', async () => {
      const sku = unique('ADJ');
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: 10 });
      const badWarehouse = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse: 'NOPE', sku, delta: 1, reason: 'x' }).expect(422);
      expectValidation(badWarehouse.body, 'warehouse');
      const badSku = await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku: 'NOPE', delta: 1, reason: 'x' }).expect(422);
      expectValidation(badSku.body, 'sku');
      expect(await level(warehouse, sku)).toMatchObject({ onHand: 10 });
    });
  });

  describe('GET /api/inventory', () => {
    let skuA: string;
    let skuB: string;
    let wh1: string;
    let wh2: string;

    beforeAll(async () => {
      skuA = unique('FILTER-A');
      skuB = unique('FILTER-B');
      wh1 = (await stockedCatalogue(app, token, { [skuA]: 4, [skuB]: 6 })).warehouse;
      wh2 = (await newWarehouse()).code;
      await app.http.put(`/api/inventory/${wh2}/${skuA}`).set(auth).send({ onHand: 9 }).expect(200);
      await app.http.post('/api/products').set(auth).send({ sku: unique('NAMED'), name: 'Oolong Searchable Tea', price: '10.00' }).expect(201);
    });

    it('?sku= lists that sku in every warehouse as the paged shape {items, page, pageSize, total}', async () => {
      const body = (await app.http.get('/api/inventory').query({ sku: skuA }).set(auth).expect(200)).body;
      expect(body).toEqual({ items: expect.any(Array), page: 1, pageSize: 50, total: 2 });
      expect(body.items).toEqual(expect.arrayContaining([
        { warehouse: wh1, sku: skuA, bin: null, onHand: 4, reserved: 0, available: 4 },
        { warehouse: wh2, sku: skuA, bin: null, onHand: 9, reserved: 0, available: 9 },
      ]));
    });

    it('?warehouse= lists the levels of that warehouse only', async () => {
      const body = (await app.http.get('/api/inventory').query({ warehouse: wh1 }).set(auth).expect(200)).body;
      expect(body.total).toBe(2);
      expect(body.items.map((l: Level) => l.sku).sort()).toEqual([skuA, skuB].sort());
      expect(body.items.every((l: Level) => l.warehouse === wh1)).toBe(true);
    });

    it('?sku=&warehouse= together narrow to one level', async () => {
      const body = (await app.http.get('/api/inventory').query({ sku: skuA, warehouse: wh2 }).set(auth).expect(200)).body;
      expect(body).toMatchObject({ total: 1, items: [{ warehouse: wh2, sku: skuA, onHand: 9 }] });
    });

    it('?q= finds levels by part of the sku, case-insensitively', async () => {
      const body = (await app.http.get('/api/inventory').query({ q: skuB.toLowerCase() }).set(auth).expect(200)).body;
      expect(body).toMatchObject({ total: 1, items: [{ sku: skuB }] });
    });

    it('?q= finds levels by part of the product name (G2.3: look up live stock by SKU or name)', async () => {
      const sku = unique('NAMED');
      await app.http.post('/api/products').set(auth).send({ sku, name: 'Jasmine Pearl Findme', price: '10.00' }).expect(201);
      await app.http.put(`/api/inventory/${wh1}/${sku}`).set(auth).send({ onHand: 1 }).expect(200);
      const body = (await app.http.get('/api/inventory').query({ q: 'pearl findme' }).set(auth).expect(200)).body;
      expect(body).toMatchObject({ total: 1, items: [{ sku, onHand: 1 }] });
    });

    it('?q= with LIKE wildcards matches them literally', async () => {
      const body = (await app.http.get('/api/inventory').query({ q: '%' }).set(auth).expect(200)).body;
      expect(body.total).toBe(0);
    });

    it('paging: pageSize limits the items, total counts them all', async () => {
      const first = (await app.http.get('/api/inventory').query({ warehouse: wh1, pageSize: 1, page: 1 }).set(auth).expect(200)).body;
      const second = (await app.http.get('/api/inventory').query({ warehouse: wh1, pageSize: 1, page: 2 }).set(auth).expect(200)).body;
      const third = (await app.http.get('/api/inventory').query({ warehouse: wh1, pageSize: 1, page: 3 }).set(auth).expect(200)).body;
      expect(first).toMatchObject({ page: 1, pageSize: 1, total: 3 });
      expect(second).toMatchObject({ page: 2, pageSize: 1, total: 3 });
      expect(first.items).toHaveLength(1);
      expect(second.items).toHaveLength(1);
      expect(third.items).toHaveLength(1);
      expect(new Set([first.items[0].sku, second.items[0].sku, third.items[0].sku]).size).toBe(3);
    });

    it('pageSize 500 is served as 200', async () => {
      const body = (await app.http.get('/api/inventory').query({ pageSize: 500 }).set(auth).expect(200)).body;
      expect(body).toMatchObject({ page: 1, pageSize: 200 });
    });

    it.each([
      ['page=0', { page: 0 }, 'page'],
      ['page=-1', { page: -1 }, 'page'],
      ['page=abc', { page: 'abc' }, 'page'],
      ['pageSize=0', { pageSize: 0 }, 'pageSize'],
      ['page=1e20 (an offset beyond what the database takes)', { page: '1e20' }, 'page'],
      ['an unknown parameter', { colour: 'red' }, 'colour'],
    ])('%s is 422 validation_failed', async (_, query, path) => {
      const response = await app.http.get('/api/inventory').query(query).set(auth).expect(422);
      expectValidation(response.body, path);
    });
  });
});
