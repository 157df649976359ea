import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderBody, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually, startTestApp, type TestApp } from '../helpers/test-app';

type Shipment = {
  id: string;
  orderId: string;
  orderNumber: string;
  warehouse: string;
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  lines: Array<{ sku: string; quantity: number }>;
  events: unknown[];
  pickListId: string | null;
  history: Array<{ from: string | null; to: string; by: string }>;
};
type Order = { id: string; number: string; status: string; shipments: Array<{ id: string; status: string; warehouse: string }> };
type PickList = {
  id: string;
  number: string;
  warehouse: string;
  status: string;
  shipments: Array<{ id: string; orderNumber: string; status: string }>;
  lines: Array<{ bin: string | null; sku: string; name: string; quantity: number }>;
};

const UUID_ZERO = '00000000-0000-4000-8000-000000000000';

/** The text of a PDF: pdftotext (poppler-utils) where installed; otherwise null and the caller checks the raw bytes. */
function pdfText(pdf: Buffer): string | null {
  const result = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return result.stdout;
}

/** API.md "Warehouse and shipping" (G1.4): pick lists, packing, the shipment and its PDF documents, over HTTP. */
describe('the warehouse API: pick lists, packing and documents', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let warehouse: string;
  // short SKUs (no pid): the documents' SKU column fits ~19 characters before it wraps, which would split the text
  const shortSku = (prefix: string) => unique(prefix).replace(/-\d+-/, '-');
  const sku = { tea: shortSku('TEA'), cup: shortSku('CUP'), pot: shortSku('POT'), bag: shortSku('BAG') };

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
    warehouse = unique('WH').slice(0, 30);
    await app.http.post('/api/warehouses').set(auth).send({ code: warehouse, name: '上海青浦仓', province: '上海市', city: '上海市', priority: 1 }).expect(201);
    const products: Array<[string, string, string | undefined]> = [
      [sku.tea, '西湖龙井茶 250克', 'A-10-1-1'],
      [sku.cup, '青花瓷茶杯', 'A-2-10-1'],
      [sku.pot, '紫砂壶', undefined],
      [sku.bag, '茶叶收纳袋', 'A-2-9-3'],
    ];
    for (const [code, name, bin] of products) {
      await app.http.post('/api/products').set(auth).send({ sku: code, name, price: '19.90' }).expect(201);
      await app.http.put(`/api/inventory/${warehouse}/${code}`).set(auth).send({ onHand: 100, ...(bin ? { bin } : {}) }).expect(200);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const getOrder = async (id: string): Promise<Order> => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const placeAwaitingShipment = async (lines: Array<{ sku: string; quantity: number; unitPrice?: string }>, overrides: Record<string, unknown> = {}) => {
    const created = (await app.http.post('/api/orders').set(auth).send(orderBody(lines, overrides)).expect(201)).body as Order;
    return eventually(async () => {
      const order = await getOrder(created.id);
      return order.status === 'awaiting_shipment' ? order : undefined;
    }, { what: `order ${created.number} awaiting_shipment` });
  };
  const getShipment = async (id: string): Promise<Shipment> => (await app.http.get(`/api/shipments/${id}`).set(auth).expect(200)).body;
  const getPdf = (path: string) => app.http.get(path).set(auth).responseType('blob');

  describe('a wave of three orders', () => {
    let orders: Order[];
    let pickList: PickList;

    beforeAll(async () => {
      orders = [];
      // one after the other: the wave takes shipments oldest first
      orders.push(await placeAwaitingShipment([{ sku: sku.tea, quantity: 1 }, { sku: sku.cup, quantity: 2 }], { shippingFee: '8.00' }));
      orders.push(await placeAwaitingShipment([{ sku: sku.cup, quantity: 1 }, { sku: sku.pot, quantity: 1, unitPrice: '268.00' }]));
      orders.push(await placeAwaitingShipment([{ sku: sku.bag, quantity: 3, unitPrice: '0.10' }, { sku: sku.tea, quantity: 1 }], {
        customer: { name: '欧阳娜娜', phone: '13912345678' },
        shippingAddress: { province: '广东省', city: '深圳市', district: '南山区', line1: '科技园南区深南大道 9988 号华润大厦 12 楼', postalCode: '518057' },
      }));
    });

    it('GET /api/shipments/{id} answers the allocated shipment in the API.md shape', async () => {
      const shipment = await getShipment(orders[0].shipments[0].id);
      expect(shipment).toMatchObject({
        id: orders[0].shipments[0].id,
        orderId: orders[0].id,
        orderNumber: orders[0].number,
        warehouse,
        status: 'allocated',
        carrier: null,
        trackingNumber: null,
        lines: [
          { sku: sku.cup, quantity: 2 },
          { sku: sku.tea, quantity: 1 },
        ].sort((a, b) => a.sku.localeCompare(b.sku)),
        events: [],
        history: [{ from: null, to: 'allocated', by: 'system' }],
      });
    });

    it('POST /api/pick-lists takes every allocated shipment of the warehouse: one line per SKU, summed, in walking order of the bins, binless last', async () => {
      const response = await app.http.post('/api/pick-lists').set(auth).send({ warehouse }).expect(201);
      pickList = response.body;
      expect(pickList).toMatchObject({ id: expect.any(String), number: expect.stringMatching(/^PL\d{12}$/), warehouse, status: 'open' });
      expect(pickList.shipments.map((s) => s.orderNumber)).toEqual(orders.map((o) => o.number));
      expect(pickList.shipments.every((s) => s.status === 'picking')).toBe(true);
      expect(pickList.lines).toEqual([
        { bin: 'A-2-9-3', sku: sku.bag, name: '茶叶收纳袋', quantity: 3 },
        { bin: 'A-2-10-1', sku: sku.cup, name: '青花瓷茶杯', quantity: 3 },
        { bin: 'A-10-1-1', sku: sku.tea, name: '西湖龙井茶 250克', quantity: 2 },
        { bin: null, sku: sku.pot, name: '紫砂壶', quantity: 1 },
      ]);
      for (const order of orders) {
        const shipment = await getShipment(order.shipments[0].id);
        expect(shipment).toMatchObject({ status: 'picking', pickListId: pickList.id });
        expect(shipment.history.at(-1)).toMatchObject({ from: 'allocated', to: 'picking', by: ADMIN_EMAIL });
      }
      expect((await app.http.get(`/api/pick-lists/${pickList.id}`).set(auth).expect(200)).body).toEqual(pickList);
    });

    it('a second pick list for the same warehouse is 409 invalid_state: nothing is left to pick', async () => {
      const response = await app.http.post('/api/pick-lists').set(auth).send({ warehouse }).expect(409);
      expect(response.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining(`no shipments waiting to be picked in ${warehouse}`) });
    });

    it('POST /api/pick-lists/{id}/confirm marks the list picked (once); the shipments stay picking until packed', async () => {
      const confirmed = (await app.http.post(`/api/pick-lists/${pickList.id}/confirm`).set(auth).expect(200)).body as PickList & { pickedBy: string };
      expect(confirmed).toMatchObject({ status: 'picked', pickedBy: ADMIN_EMAIL });
      expect(confirmed.shipments.every((s) => s.status === 'picking')).toBe(true);
      const again = await app.http.post(`/api/pick-lists/${pickList.id}/confirm`).set(auth).expect(409);
      expect(again.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('picked') });
    });

    it('POST /api/shipments/{id}/pack moves a picking shipment to packed; packing it again is 409 naming its status', async () => {
      const id = orders[0].shipments[0].id;
      const packed = (await app.http.post(`/api/shipments/${id}/pack`).set(auth).expect(200)).body as Shipment & { packedBy: string };
      expect(packed).toMatchObject({ id, status: 'packed', packedBy: ADMIN_EMAIL });
      expect(packed.history.at(-1)).toMatchObject({ from: 'picking', to: 'packed', by: ADMIN_EMAIL });
      const again = await app.http.post(`/api/shipments/${id}/pack`).set(auth).expect(409);
      expect(again.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('is packed') });
    });

    it('the label, packing slip and invoice are PDFs with the order number, embedding the CJK font', async () => {
      const order = orders[2];
      const id = order.shipments[0].id;
      const dump = process.env.FULFILLMENT_PDF_DIR;
      if (dump) mkdirSync(dump, { recursive: true });
      for (const [document, expected] of [
        ['label', ['欧阳娜娜', '13912345678', '深圳市', '上海青浦仓', 'tracking number pending']],
        ['packing-slip', ['茶叶收纳袋', 'A-2-9-3', sku.bag]],
        ['invoice', ['OMS Demo Shop', '欧阳娜娜', '0.30', '19.90', '20.20']],
      ] as const) {
        const response = await getPdf(`/api/shipments/${id}/${document}.pdf`).expect(200);
        expect(response.headers['content-type']).toBe('application/pdf');
        expect(response.headers['content-disposition']).toMatch(new RegExp(`^inline; filename="${document}-${order.number}-[0-9a-f]{8}\\.pdf"$`));
        const pdf = response.body as Buffer;
        expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(pdf.toString('latin1')).toContain('NotoSansSC');
        if (dump) writeFileSync(join(dump, `${document}.pdf`), pdf);
        const text = pdfText(pdf);
        if (text !== null) {
          const flat = text.replace(/\s+/g, ' ');
          for (const piece of [order.number, ...expected]) expect(flat).toContain(piece);
        }
      }
    });

    it('a packed order still ships in one step (POST /api/orders/{id}/shipments); its label then shows the carrier and tracking number', async () => {
      const order = orders[0];
      const trackingNumber = `SF${Date.now()}`;
      const shipped = (await app.http.post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber }).expect(200)).body as Order;
      expect(shipped.status).toBe('shipped');
      const shipment = await getShipment(order.shipments[0].id);
      expect(shipment).toMatchObject({ status: 'shipped', carrier: 'sf', trackingNumber });
      expect(shipment.history.at(-1)).toMatchObject({ from: 'packed', to: 'shipped' });
      const pack = await app.http.post(`/api/shipments/${shipment.id}/pack`).set(auth).expect(409);
      expect(pack.body.error.message).toContain('is shipped');
      const label = await getPdf(`/api/shipments/${shipment.id}/label.pdf`).expect(200);
      if (process.env.FULFILLMENT_PDF_DIR) writeFileSync(join(process.env.FULFILLMENT_PDF_DIR, 'label-shipped.pdf'), label.body as Buffer);
      const text = pdfText(label.body as Buffer);
      if (text !== null) {
        expect(text).toContain(trackingNumber);
        expect(text).toContain('顺丰速运');
        expect(text).not.toContain('tracking number pending');
      }
    });

    it('a picking shipment of a cancelled order is cancelled and can no longer be packed', async () => {
      const order = orders[1];
      await app.http.post(`/api/orders/${order.id}/cancel`).set(auth).send({ reason: 'customer changed their mind' }).expect(200);
      const shipment = await getShipment(order.shipments[0].id);
      expect(shipment.status).toBe('cancelled');
      expect(shipment.history.at(-1)).toMatchObject({ from: 'picking', to: 'cancelled' });
      const pack = await app.http.post(`/api/shipments/${shipment.id}/pack`).set(auth).expect(409);
      expect(pack.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('is cancelled') });
    });
  });

  it('maxShipments limits the wave to the oldest shipments; an allocated shipment can be packed without a pick list', async () => {
    const first = await placeAwaitingShipment([{ sku: sku.tea, quantity: 1 }]);
    const second = await placeAwaitingShipment([{ sku: sku.cup, quantity: 1 }]);
    const wave = (await app.http.post('/api/pick-lists').set(auth).send({ warehouse, maxShipments: 1 }).expect(201)).body as PickList;
    expect(wave.shipments.map((s) => s.id)).toEqual([first.shipments[0].id]);
    expect(wave.lines).toEqual([{ bin: 'A-10-1-1', sku: sku.tea, name: '西湖龙井茶 250克', quantity: 1 }]);
    const packed = (await app.http.post(`/api/shipments/${second.shipments[0].id}/pack`).set(auth).expect(200)).body as Shipment;
    expect(packed.status).toBe('packed');
    expect(packed.pickListId).toBeNull();
  });

  it('validation: maxShipments 0 or not a number, a missing or unknown warehouse → 422', async () => {
    for (const body of [{ warehouse, maxShipments: 0 }, { warehouse, maxShipments: 'ten' }, {}, { warehouse, extra: true }]) {
      const response = await app.http.post('/api/pick-lists').set(auth).send(body).expect(422);
      expect(response.body.error.code).toBe('validation_failed');
    }
    const unknownWarehouse = await app.http.post('/api/pick-lists').set(auth).send({ warehouse: 'NO-SUCH-WH' }).expect(422);
    expect(unknownWarehouse.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'warehouse', message: expect.stringContaining('NO-SUCH-WH') }] });
  });

  it('unknown shipments and pick lists are 404, whatever the id looks like', async () => {
    for (const id of [UUID_ZERO, 'not-a-uuid']) {
      await app.http.get(`/api/shipments/${id}`).set(auth).expect(404);
      await app.http.post(`/api/shipments/${id}/pack`).set(auth).expect(404);
      for (const document of ['label', 'packing-slip', 'invoice']) {
        const response = await app.http.get(`/api/shipments/${id}/${document}.pdf`).set(auth).expect(404);
        expect(response.body.error.code).toBe('not_found');
      }
      await app.http.get(`/api/pick-lists/${id}`).set(auth).expect(404);
      await app.http.post(`/api/pick-lists/${id}/confirm`).set(auth).expect(404);
    }
  });

  it('without a token the documents and actions are 401', async () => {
    await app.http.get(`/api/shipments/${UUID_ZERO}/label.pdf`).expect(401);
    await app.http.post('/api/pick-lists').send({ warehouse }).expect(401);
  });
});
