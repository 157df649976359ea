import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { BatchResult } from '../../src/orders/order-batch-result';
import type { BatchPage } from '../../src/admin/lists-contract';
import { adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually } from '../helpers/test-app';

type Order = { id: string; number: string; status: string; approvedBy: string | null; shipments: Array<{ id: string; warehouse: string; status: string; carrier: string | null; trackingNumber: string | null; lines: Array<{ sku: string; quantity: number }> }> };
type Level = { warehouse: string; sku: string; onHand: number; reserved: number; available: number };
type Answer = {
  records: Array<{ id: string; params: { status: string } }>;
  batch?: BatchPage & { result?: BatchResult };
  notice?: { type: string; message: string };
  fieldErrors?: Record<string, string | { message: string }>;
};

/**
 * Issue 14 item 6 over AdminJS's API with an admin session: the order list's batch allocate, ship and print (bulk actions
 * and the documents route), the export's refusals, the single Approve's answer, each batch action's permission, and a
 * 200-order batch approve. (Batch approve in Chromium, the search box and the export's read-back: browser/admin-lists.spec.ts.)
 */
describe('the order list\'s batch actions in the admin', () => {
  const admin = useAdminApp();
  let app: typeof admin.app;
  let auth: typeof admin.auth;
  let adminCookie: string;
  /** A role that may sign in to the admin but not read orders (no built-in role lacks orders.read). */
  const noOrdersRole = unique('no-orders').toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 30);

  beforeAll(async () => {
    ({ app, auth, adminCookie } = admin);
    // orders are held for review, so each test decides what is approved (G2.2)
    await app.http.put('/api/settings').set(auth).send({ autoReview: { enabled: false } }).expect(200);
    await app.http.post('/api/roles').set(auth).send({ name: noOrdersRole, description: 'catalogue only', permissions: ['catalog.read'] }).expect(201);
  });

  const token = () => auth.Authorization.slice('Bearer '.length);
  const getOrder = async (id: string): Promise<Order> => (await app.http.get(`/api/orders/${id}`).set(auth).expect(200)).body;
  const statuses = async (orders: Array<{ id: string }>) => Promise.all(orders.map(async (order) => (await getOrder(order.id)).status));
  const waitForAll = (orders: Array<{ id: string }>, status: string) =>
    eventually(async () => ((await statuses(orders)).every((s) => s === status) ? true : undefined), { timeoutMs: 60_000, intervalMs: 200, what: `${orders.length} orders to be ${status}` });
  const levels = async (sku: string): Promise<Level[]> =>
    ((await app.http.get('/api/inventory').query({ sku }).set(auth).expect(200)).body.items as Level[]).map(({ warehouse, sku: s, onHand, reserved, available }) => ({ warehouse, sku: s, onHand, reserved, available }));
  const levelIn = async (sku: string, warehouse: string) => (await levels(sku)).find((level) => level.warehouse === warehouse);

  /** `count` orders of `quantity` units of `sku`, held in pending_review. */
  const heldOrders = async (sku: string, count: number, quantity = 1): Promise<Array<{ id: string; number: string }>> => {
    const orders: Array<{ id: string; number: string }> = [];
    for (let i = 0; i < count; i += 1) {
      const created = (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity }])).expect(201)).body;
      orders.push({ id: created.id, number: created.number });
    }
    await waitForAll(orders, 'pending_review');
    return orders;
  };
  /** `count` orders approved through the API and allocated by the workflow (awaiting_shipment), or waiting for stock. */
  const approvedOrders = async (sku: string, count: number, status = 'awaiting_shipment', quantity = 1) => {
    const orders = await heldOrders(sku, count, quantity);
    for (const order of orders) await app.http.post(`/api/orders/${order.id}/approve`).set(auth).expect(200);
    await waitForAll(orders, status);
    return orders;
  };

  const bulkUrl = (action: string, ids: string[]) => `/admin/api/resources/Order/bulk/${action}?recordIds=${ids.join(',')}`;
  /** POSTs the batch form as the admin's component does (AdminJS's bulk action API). */
  const runBatch = async (action: string, ids: string[], form: Record<string, string> = {}, cookie = adminCookie): Promise<Answer> =>
    (await app.http.post(bulkUrl(action, ids)).type('form').send(form).set('Cookie', cookie).expect(200)).body;
  const openBatch = async (action: string, ids: string[], cookie = adminCookie): Promise<Answer> =>
    (await app.http.get(bulkUrl(action, ids)).set('Cookie', cookie).expect(200)).body;
  const itemOf = (answer: Answer, id: string) => answer.batch!.result!.items.find((item) => item.id === id)!;
  const fieldError = (answer: Answer, field: string) => {
    const error = answer.fieldErrors?.[field];
    return typeof error === 'string' ? error : error?.message;
  };
  /** AdminJS's refusal of an action whose isAccessible says no. */
  const refusedByAdminJs = (answer: Answer) => answer.notice?.message === 'forbiddenError';

  describe('batch approve', () => {
    it('approves held and exception orders, which go on to allocation; an order past review is skipped with its status', async () => {
      const sku = unique('BAA');
      await stockedCatalogue(app, token(), { [sku]: 5 });
      const [held, rejected] = await heldOrders(sku, 2);
      await app.http.post(`/api/orders/${rejected.id}/reject`).set(auth).send({ reason: 'address to check' }).expect(200);
      const [allocated] = await approvedOrders(sku, 1);
      const allocatedBefore = await getOrder(allocated.id);
      const answer = await runBatch('batchApprove', [held.id, rejected.id, allocated.id]);
      expect(answer.batch!.result).toMatchObject({ action: 'approve', done: 2, skipped: 1, failed: 0 });
      // the answer waited for the workflow: the approved orders are shown where they went, in the order selected
      expect(answer.batch!.result!.items.map((item) => [item.number, item.outcome, item.status])).toEqual([
        [held.number, 'done', 'awaiting_shipment'],
        [rejected.number, 'done', 'awaiting_shipment'],
        [allocated.number, 'skipped', 'awaiting_shipment'],
      ]);
      expect(answer.records.map((record) => [record.id, record.params.status])).toEqual([
        [held.id, 'awaiting_shipment'],
        [rejected.id, 'awaiting_shipment'],
        [allocated.id, 'awaiting_shipment'],
      ]);
      expect((await getOrder(held.id)).approvedBy).toBe(ADMIN_EMAIL);
      expect(await getOrder(allocated.id)).toEqual(allocatedBefore);
      expect(await levelIn(sku, (await getOrder(held.id)).shipments[0].warehouse)).toMatchObject({ onHand: 5, reserved: 3 });
    });
  });

  describe('batch allocate', () => {
    it('moves the selection to the chosen warehouse; an order not in an allocatable status is skipped with its status and left as it was', async () => {
      const sku = unique('BAL');
      const { warehouse: first } = await stockedCatalogue(app, token(), { [sku]: 3 });
      const orders = await approvedOrders(sku, 2);
      const held = (await heldOrders(sku, 1))[0];
      const { warehouse: second } = await stockedCatalogue(app, token(), {}, undefined);
      await app.http.put(`/api/inventory/${second}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
      const heldBefore = await getOrder(held.id);

      // the form offers the active warehouses, and "the rules choose" (empty)
      const opened = await openBatch('batchAllocate', [...orders.map((o) => o.id), held.id]);
      expect(opened.batch!.fields[0].options!.map((option) => option.value)).toEqual(expect.arrayContaining(['', first, second]));
      expect(opened.records).toHaveLength(3);

      const answer = await runBatch('batchAllocate', [...orders.map((o) => o.id), held.id], { warehouse: second });
      expect(answer.batch!.result).toMatchObject({ action: 'allocate', done: 2, skipped: 1, failed: 0 });
      expect(itemOf(answer, held.id)).toMatchObject({ outcome: 'skipped', status: 'pending_review', number: held.number });
      expect(answer.notice).toMatchObject({ type: 'success', message: '2 done, 1 skipped, 0 failed' });
      // the answer's rows are the orders as they are now
      expect(answer.records.map((record) => record.params.status).sort()).toEqual(['awaiting_shipment', 'awaiting_shipment', 'pending_review']);
      for (const order of orders) {
        const now = await getOrder(order.id);
        expect(now.status).toBe('awaiting_shipment');
        expect(now.shipments.filter((s) => s.status !== 'cancelled').map((s) => [s.warehouse, s.lines])).toEqual([[second, [{ sku, quantity: 1 }]]]);
      }
      expect(await getOrder(held.id)).toEqual(heldBefore);
      expect(await levelIn(sku, first)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
      expect(await levelIn(sku, second)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    });

    it('without a chosen warehouse lets the allocation rules choose for each order; one that no warehouse can serve is not allocated and keeps waiting', async () => {
      const sku = unique('BAR');
      const { warehouse } = await stockedCatalogue(app, token(), { [sku]: 2 });
      const orders = await approvedOrders(sku, 2);
      const missing = unique('BAM');
      await stockedCatalogue(app, token(), { [missing]: 0 });
      const waiting = (await approvedOrders(missing, 1, 'awaiting_stock'))[0];
      const waitingBefore = await getOrder(waiting.id);

      const answer = await runBatch('batchAllocate', [...orders.map((o) => o.id), waiting.id], { warehouse: '' });
      expect(answer.batch!.result).toMatchObject({ done: 2 });
      expect(itemOf(answer, waiting.id).outcome).not.toBe('done');
      expect(itemOf(answer, waiting.id)).toMatchObject({ status: 'awaiting_stock', message: expect.stringContaining(missing) });
      for (const order of orders) {
        const now = await getOrder(order.id);
        expect(now.status).toBe('awaiting_shipment');
        expect(now.shipments.filter((s) => s.status !== 'cancelled').map((s) => [s.warehouse, s.lines])).toEqual([[warehouse, [{ sku, quantity: 1 }]]]);
      }
      expect(await levelIn(sku, warehouse)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
      const waitingNow = await getOrder(waiting.id);
      expect(waitingNow.status).toBe('awaiting_stock');
      expect(waitingNow.shipments).toEqual(waitingBefore.shipments);
    });

    it('never oversells: with stock for 3 of 5 orders in the chosen warehouse, 3 move and 2 are reported not done, still allocated where they were', async () => {
      const sku = unique('BAO');
      const { warehouse: first } = await stockedCatalogue(app, token(), { [sku]: 5 });
      const orders = await approvedOrders(sku, 5);
      const { warehouse: second } = await stockedCatalogue(app, token(), {}, undefined);
      await app.http.put(`/api/inventory/${second}/${sku}`).set(auth).send({ onHand: 3 }).expect(200);

      const answer = await runBatch('batchAllocate', orders.map((o) => o.id), { warehouse: second });
      const result = answer.batch!.result!;
      // refused for want of stock while still allocatable: failed (skipped is for an order in another status)
      expect(result).toMatchObject({ done: 3, skipped: 0, failed: 2 });
      expect(answer.notice).toMatchObject({ type: 'error', message: '3 done, 0 skipped, 2 failed' });
      const notDone = result.items.filter((item) => item.outcome !== 'done');
      for (const item of notDone) {
        expect(item.message).toMatch(new RegExp(`Not enough stock of ${sku} in ${second}`));
        expect(item.status).toBe('awaiting_shipment');
      }
      const where = await Promise.all(orders.map(async (order) => (await getOrder(order.id)).shipments.filter((s) => s.status !== 'cancelled').map((s) => s.warehouse)));
      expect(where.filter((w) => w.length === 1 && w[0] === second)).toHaveLength(3);
      expect(where.filter((w) => w.length === 1 && w[0] === first)).toHaveLength(2);
      for (const item of notDone) expect((await getOrder(item.id)).shipments.filter((s) => s.status !== 'cancelled').map((s) => s.warehouse)).toEqual([first]);
      expect(await levelIn(sku, second)).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
      expect(await levelIn(sku, first)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    });

    it('refuses an unknown warehouse for the whole batch with a field error, changing nothing', async () => {
      const sku = unique('BAU');
      await stockedCatalogue(app, token(), { [sku]: 2 });
      const orders = await approvedOrders(sku, 2);
      const before = await Promise.all(orders.map((o) => getOrder(o.id)));
      const answer = await runBatch('batchAllocate', orders.map((o) => o.id), { warehouse: 'NO-SUCH-WH' });
      // checked once before any order is touched, like the ship form's tracking numbers
      expect(answer.batch?.result).toBeUndefined();
      expect(answer.notice?.type).toBe('error');
      expect(fieldError(answer, 'warehouse')).toMatch(/NO-SUCH-WH/);
      expect(answer.batch!.values.warehouse).toBe('NO-SUCH-WH');
      expect(await Promise.all(orders.map((o) => getOrder(o.id)))).toEqual(before);
    });
  });

  describe('batch ship', () => {
    const shipForm = (lines: string[], carrier = 'sf') => ({ carrier, trackingNumbers: lines.join('\n') });

    it('ships each order with its own tracking number from the textarea (space, tab or comma, blank lines and CRLF allowed); an order not awaiting shipment is skipped', async () => {
      const sku = unique('BSH');
      await stockedCatalogue(app, token(), { [sku]: 5 });
      const orders = await approvedOrders(sku, 3);
      const held = (await heldOrders(sku, 1))[0];
      const tracking = orders.map((_, i) => `SF${Date.now()}${i}`);
      const form = { carrier: 'sf', trackingNumbers: `${orders[0].number} ${tracking[0]}\r\n\r\n  ${orders[1].number}\t${tracking[1]}  \n${orders[2].number}，${tracking[2]}\n` };

      const opened = await openBatch('batchShip', orders.map((o) => o.id));
      expect(opened.batch!.fields.map((field) => field.name)).toEqual(['carrier', 'trackingNumbers']);
      expect(opened.batch!.fields[0].options!.map((option) => option.value)).toContain('sf');

      const answer = await runBatch('batchShip', [...orders.map((o) => o.id), held.id], form);
      expect(answer.batch!.result).toMatchObject({ action: 'ship', done: 3, skipped: 1, failed: 0 });
      expect(itemOf(answer, held.id)).toMatchObject({ outcome: 'skipped', status: 'pending_review' });
      for (const [i, order] of orders.entries()) {
        expect(itemOf(answer, order.id)).toMatchObject({ outcome: 'done', status: 'shipped' });
        const now = await getOrder(order.id);
        expect(now.status).toBe('shipped');
        expect(now.shipments.filter((s) => s.status !== 'cancelled').map((s) => ({ status: s.status, carrier: s.carrier, trackingNumber: s.trackingNumber }))).toEqual([
          { status: 'shipped', carrier: 'sf', trackingNumber: tracking[i] },
        ]);
      }
      expect((await getOrder(held.id)).status).toBe('pending_review');
    });

    it('refuses the whole batch with a field error and ships nothing: a tracking number missing, invalid, for an order not selected, an order twice, a line without a number, no lines, an unknown or no carrier', async () => {
      const sku = unique('BSR');
      await stockedCatalogue(app, token(), { [sku]: 5 });
      const orders = await approvedOrders(sku, 2);
      const other = (await approvedOrders(sku, 1))[0];
      const ids = orders.map((o) => o.id);
      const before = await Promise.all(orders.map((o) => getOrder(o.id)));
      const good = (i: number) => `${orders[i].number} SF${Date.now()}${i}`;

      const cases: Array<{ what: string; form: Record<string, string>; field: string; says: RegExp }> = [
        { what: 'one order without a tracking number', form: shipForm([good(0)]), field: 'trackingNumbers', says: new RegExp(`no tracking number for order ${orders[1].number}`) },
        { what: 'an invalid tracking number', form: shipForm([good(0), `${orders[1].number} no!`]), field: 'trackingNumbers', says: new RegExp(`${orders[1].number}.*6-40`) },
        { what: 'too short a tracking number', form: shipForm([good(0), `${orders[1].number} SF1`]), field: 'trackingNumbers', says: /6-40/ },
        { what: 'an order not in the selection', form: shipForm([good(0), good(1), `${other.number} SF99999999`]), field: 'trackingNumbers', says: new RegExp(`${other.number}.*not among the selected`) },
        { what: 'a line with three words', form: shipForm([good(0), `${orders[1].number} SF123456 extra`]), field: 'trackingNumbers', says: /line 2/ },
        { what: 'an order given twice', form: shipForm([good(0), good(1), `${orders[1].number} SF99999999`]), field: 'trackingNumbers', says: new RegExp(`${orders[1].number} is given twice \\(line 3\\)`) },
        { what: 'no lines at all', form: shipForm(['', '  ']), field: 'trackingNumbers', says: /at least one/ },
        { what: 'an unknown carrier', form: shipForm([good(0), good(1)], 'ups'), field: 'carrier', says: /sf/ },
        { what: 'no carrier', form: shipForm([good(0), good(1)], ''), field: 'carrier', says: /must be one of sf/ },
      ];
      for (const { what, form, field, says } of cases) {
        const answer = await runBatch('batchShip', ids, form);
        expect({ what, result: answer.batch?.result, notice: answer.notice?.type }).toEqual({ what, result: undefined, notice: 'error' });
        expect({ what, error: fieldError(answer, field) }).toEqual({ what, error: expect.stringMatching(says) });
        // the form comes back with what was typed
        expect(answer.batch!.values.trackingNumbers).toBe(form.trackingNumbers.trim());
      }
      expect(await Promise.all(orders.map((o) => getOrder(o.id)))).toEqual(before);
      expect((await getOrder(other.id)).status).toBe('awaiting_shipment');
    });
  });

  describe('batch print', () => {
    const pages = async (pdf: Buffer) => (await PDFDocument.load(pdf)).getPageCount();
    const binary = (request: ReturnType<typeof app.http.get>) =>
      request.buffer(true).parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const textOf = (pdf: Buffer) => {
      const dir = mkdtempSync(join(tmpdir(), 'oms-batch-print-'));
      try {
        writeFileSync(join(dir, 'in.pdf'), pdf);
        return execFileSync('pdftotext', ['-layout', join(dir, 'in.pdf'), '-'], { encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('joins the chosen document of every shipment of the selection into one PDF: as many pages as the shipments\' documents, each order in it; an order without a shipment adds nothing', async () => {
      const sku = unique('BPR');
      await stockedCatalogue(app, token(), { [sku]: 10 });
      const orders = await approvedOrders(sku, 3);
      // one order in two shipments: 2 units of a SKU split across two warehouses
      const split = unique('BPS');
      await stockedCatalogue(app, token(), { [split]: 1 });
      await stockedCatalogue(app, token(), {}, undefined).then(({ warehouse }) => app.http.put(`/api/inventory/${warehouse}/${split}`).set(auth).send({ onHand: 1 }).expect(200));
      const twoParcels = (await approvedOrders(split, 1, 'awaiting_shipment', 2))[0];
      const withShipments = [...orders, twoParcels];
      const held = (await heldOrders(sku, 1))[0];
      const shipments = (await Promise.all(withShipments.map((o) => getOrder(o.id)))).flatMap((order) => order.shipments.filter((s) => s.status !== 'cancelled'));
      expect(shipments.length).toBe(withShipments.length + 1);
      const ids = [...withShipments, held].map((o) => o.id);

      // the bulk action answers the documents' address; the component adds the document chosen
      const opened = await openBatch('batchPrint', ids);
      expect(opened.batch).toMatchObject({ action: 'print', downloadUrl: `/admin/orders/documents?orders=${ids.join(',')}` });
      expect(opened.batch!.fields[0].options!.map((option) => option.value)).toEqual(['label', 'packing-slip', 'invoice']);

      for (const document of ['label', 'packing-slip', 'invoice']) {
        const response = await binary(app.http.get(`${opened.batch!.downloadUrl}&document=${document}`).set('Cookie', adminCookie)).expect(200);
        expect(response.headers['content-type']).toMatch(/^application\/pdf/);
        expect(response.headers['content-disposition']).toContain(`${document}-${shipments.length}.pdf`);
        const combined = response.body as Buffer;
        expect(combined.subarray(0, 5).toString()).toBe('%PDF-');
        // the single shipment documents (API), page for page
        let expected = 0;
        for (const shipment of shipments) expected += await pages((await binary(app.http.get(`/api/shipments/${shipment.id}/${document}.pdf`).set(auth)).expect(200)).body);
        expect({ document, pages: await pages(combined) }).toEqual({ document, pages: expected });
        expect(expected).toBeGreaterThanOrEqual(shipments.length);
        const text = textOf(combined);
        for (const order of withShipments) expect({ document, has: text.includes(order.number) }).toEqual({ document, has: true });
        expect(text).not.toContain(held.number);
      }
    });

    it('answers a clear 404 when no order of the selection has a shipment, and 422 for a bad document or order list', async () => {
      const sku = unique('BPN');
      await stockedCatalogue(app, token(), { [sku]: 2 });
      const held = await heldOrders(sku, 2);
      const none = await app.http.get('/admin/orders/documents').query({ orders: held.map((o) => o.id).join(','), document: 'label' }).set('Cookie', adminCookie).expect(404);
      expect(none.body.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/Shipment/) });
      const bad: Array<Record<string, string>> = [
        { orders: held[0].id, document: 'receipt' },
        { orders: held[0].id },
        { orders: 'not-an-id', document: 'label' },
        { orders: '', document: 'label' },
        { orders: `${held[0].id},${held[1].id.toUpperCase()}x`, document: 'label' },
      ];
      for (const query of bad) {
        const response = await app.http.get('/admin/orders/documents').query(query).set('Cookie', adminCookie);
        expect({ query: Object.keys(query), status: response.status, code: response.body.error?.code }).toEqual({ query: Object.keys(query), status: 422, code: 'validation_failed' });
      }
      // the orders given twice (an array, not one list)
      const twice = await app.http.get(`/admin/orders/documents?orders=${held[0].id}&orders=${held[1].id}&document=label`).set('Cookie', adminCookie);
      expect({ status: twice.status, code: twice.body.error?.code }).toEqual({ status: 422, code: 'validation_failed' });
      const missing = await app.http.get('/admin/orders/documents').query({ orders: '00000000-0000-4000-8000-000000000000', document: 'label' }).set('Cookie', adminCookie);
      expect(missing.status).toBe(404);
    });

    it('refuses a role without orders.read (403 from the documents route, refused bulk action), and sends a request without a session to the login page', async () => {
      const sku = unique('BPF');
      await stockedCatalogue(app, token(), { [sku]: 2 });
      const [order] = await approvedOrders(sku, 1);
      const cookie = await adminSignInWithRole(app, noOrdersRole);
      const refused = await app.http.get('/admin/orders/documents').query({ orders: order.id, document: 'label' }).set('Cookie', cookie).expect(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.headers['content-type']).not.toMatch(/pdf/);
      expect(refusedByAdminJs(await openBatch('batchPrint', [order.id], cookie))).toBe(true);
      // without a session: to the login page, no document
      await app.http.get('/admin/orders/documents').query({ orders: order.id, document: 'label' }).expect(302).expect('Location', '/admin/login');
    });
  });

  describe('export refusals', () => {
    it('403 for a role without orders.read, the login page without a session', async () => {
      const cookie = await adminSignInWithRole(app, noOrdersRole);
      const refused = await app.http.get('/admin/orders/export').query({ format: 'csv' }).set('Cookie', cookie).expect(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.headers['content-disposition']).toBeUndefined();
      await app.http.get('/admin/orders/export').query({ format: 'csv' }).expect(302).expect('Location', '/admin/login');
      // a role with it (warehouse) exports
      const warehouse = await adminSignInWithRole(app, 'warehouse');
      await app.http.get('/admin/orders/export').query({ format: 'csv', 'filters.status': 'shipped' }).set('Cookie', warehouse).expect(200).expect('Content-Type', /csv/);
    });

    it('422 for a bad format or filter, never a 500 or a file', async () => {
      const bad: Array<[string, Record<string, string | string[]>, RegExp]> = [
        ['format', { format: 'pdf' }, /csv or xlsx/],
        ['format', { format: ['csv', 'xlsx'] }, /csv or xlsx/],
        ['filters', { 'filters.status': 'lost' }, /Unknown status lost/],
        ['filters', { 'filters.status': 'shipped,nope' }, /nope/],
        ['filters', { 'filters.placedAt~~from': '2026-13-45' }, /date/],
        ['filters', { 'filters.placedAt~~to': 'yesterday' }, /date/],
        ['filters', { 'filters.q': 'x'.repeat(65) }, /./],
        ['filters', { 'filters.q': ['a', 'b'] }, /./],
      ];
      for (const [field, query, says] of bad) {
        const response = await app.http.get('/admin/orders/export').query(query).set('Cookie', adminCookie);
        expect({ query, status: response.status, code: response.body.error?.code }).toEqual({ query, status: 422, code: 'validation_failed' });
        expect({ query, details: response.body.error.details }).toEqual({ query, details: [expect.objectContaining({ path: field, message: expect.stringMatching(says) })] });
        expect(response.headers['content-disposition']).toBeUndefined();
      }
    });
  });

  describe('single Allocate', () => {
    it('with "the allocation rules choose" and the quantities as ordered, allocates the order (the current warehouse stays)', async () => {
      const sku = unique('BSA');
      const { warehouse } = await stockedCatalogue(app, token(), { [sku]: 2 });
      const [order] = await approvedOrders(sku, 1);
      const answer = (
        await app.http.post(`/admin/api/resources/Order/records/${order.id}/allocate`).type('form').send({ warehouse: '', 'lines.0.sku': sku, 'lines.0.quantity': '1' }).set('Cookie', adminCookie).expect(200)
      ).body;
      expect(answer.notice).toMatchObject({ type: 'success', message: expect.stringContaining(`allocated to ${warehouse}`) });
      expect((await getOrder(order.id)).shipments.filter((s) => s.status !== 'cancelled').map((s) => s.warehouse)).toEqual([warehouse]);
      expect(await levelIn(sku, warehouse)).toMatchObject({ onHand: 2, reserved: 1 });
    });
  });

  describe('single Approve', () => {
    it('answers with the order past pending_review: the server waited for the workflow, so the page shows where it went', async () => {
      const sku = unique('BAP');
      await stockedCatalogue(app, token(), { [sku]: 2 });
      const [order] = await heldOrders(sku, 1);
      const answer = (await app.http.get(`/admin/api/resources/Order/records/${order.id}/approve`).set('Cookie', adminCookie).expect(200)).body;
      expect(answer.notice).toMatchObject({ type: 'success', message: `Order ${order.number} approved` });
      expect(answer.record.params.status).toBe('awaiting_shipment');
      expect((await getOrder(order.id)).status).toBe('awaiting_shipment');
    });

    it('answers an order held again after approval (no stock) as waiting for stock, not pending_review', async () => {
      const sku = unique('BAQ');
      await stockedCatalogue(app, token(), { [sku]: 0 });
      const [order] = await heldOrders(sku, 1);
      const answer = (await app.http.get(`/admin/api/resources/Order/records/${order.id}/approve`).set('Cookie', adminCookie).expect(200)).body;
      expect(answer.notice.type).toBe('success');
      expect(answer.record.params.status).not.toBe('pending_review');
    });
  });

  describe('permissions', () => {
    it('refuses each batch action to a role without its permission, and changes nothing', async () => {
      const sku = unique('BPM');
      await stockedCatalogue(app, token(), { [sku]: 10 });
      const held = await heldOrders(sku, 2);
      const allocated = await approvedOrders(sku, 2);
      const { warehouse: other } = await stockedCatalogue(app, token(), {}, undefined);
      await app.http.put(`/api/inventory/${other}/${sku}`).set(auth).send({ onHand: 5 }).expect(200);
      const all = [...held, ...allocated];
      const snapshot = async () => ({ orders: await Promise.all(all.map((o) => getOrder(o.id))), levels: await levels(sku) });
      const before = await snapshot();
      const warehouse = await adminSignInWithRole(app, 'warehouse'); // no orders.approve, no orders.write
      const operator = await adminSignInWithRole(app, 'operator'); // no shipments.write
      const readOnly = await adminSignInWithRole(app, noOrdersRole);

      const attempts: Array<[string, string, string[], Record<string, string>]> = [
        ['warehouse', 'batchApprove', held.map((o) => o.id), {}],
        ['warehouse', 'batchAllocate', allocated.map((o) => o.id), { warehouse: other }],
        ['operator', 'batchShip', allocated.map((o) => o.id), { carrier: 'sf', trackingNumbers: allocated.map((o, i) => `${o.number} SF1234567${i}`).join('\n') }],
        [noOrdersRole, 'batchApprove', held.map((o) => o.id), {}],
      ];
      const cookies: Record<string, string> = { warehouse, operator, [noOrdersRole]: readOnly };
      for (const [role, action, ids, form] of attempts) {
        // the form does not open, and a POST does not act
        expect({ role, action, refused: refusedByAdminJs(await openBatch(action, ids, cookies[role])) }).toEqual({ role, action, refused: true });
        const answer = await runBatch(action, ids, form, cookies[role]);
        expect({ role, action, refused: refusedByAdminJs(answer), result: answer.batch?.result }).toEqual({ role, action, refused: true, result: undefined });
      }
      expect(await snapshot()).toEqual(before);

      // the roles that hold the permission may (the warehouse ships)
      const shipped = await runBatch('batchShip', [allocated[0].id], { carrier: 'zto', trackingNumbers: `${allocated[0].number} ZTO12345678` }, warehouse);
      expect(shipped.batch!.result).toMatchObject({ done: 1 });
    });

    it('checks the permission again when acting: a role that lost orders.approve after sign-in approves nothing', async () => {
      const role = unique('approver').toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 30);
      await app.http.post('/api/roles').set(auth).send({ name: role, description: 'approves', permissions: ['orders.read', 'orders.approve'] }).expect(201);
      const cookie = await adminSignInWithRole(app, role);
      const sku = unique('BPA');
      await stockedCatalogue(app, token(), { [sku]: 4 });
      const held = await heldOrders(sku, 2);
      expect(refusedByAdminJs(await openBatch('batchApprove', held.map((o) => o.id), cookie))).toBe(false);
      await app.http.put(`/api/roles/${role}`).set(auth).send({ name: role, description: 'approves no more', permissions: ['orders.read'] }).expect(200);
      const answer = await runBatch('batchApprove', held.map((o) => o.id), {}, cookie);
      expect(answer.batch?.result).toBeUndefined();
      expect(answer.notice?.type).toBe('error');
      expect(await statuses(held)).toEqual(['pending_review', 'pending_review']);
    });
  });

  describe('in Chinese (a zh-CN operator)', () => {
    const setOwnLocale = async (locale: 'zh-CN' | 'en') => {
      const me = (await app.http.get('/api/auth/me').set(auth).expect(200)).body as { id: string };
      await app.http.patch(`/api/users/${me.id}`).set(auth).send({ locale }).expect(200);
    };
    afterEach(() => setOwnLocale('en'));

    it('says the ship form\'s problems and each order\'s reason in Chinese', async () => {
      const sku = unique('BZH');
      const { warehouse: first } = await stockedCatalogue(app, token(), { [sku]: 2 });
      const orders = await approvedOrders(sku, 2);
      const { warehouse: second } = await stockedCatalogue(app, token(), {}, undefined);
      await app.http.put(`/api/inventory/${second}/${sku}`).set(auth).send({ onHand: 1 }).expect(200);
      await setOwnLocale('zh-CN');

      const missing = await runBatch('batchShip', orders.map((o) => o.id), { carrier: 'sf', trackingNumbers: `${orders[0].number} SF12345678` });
      expect(fieldError(missing, 'trackingNumbers')).toBe(`订单 ${orders[1].number} 没有填写运单号`);
      const invalid = await runBatch('batchShip', orders.map((o) => o.id), { carrier: 'sf', trackingNumbers: `${orders[0].number} SF1\n${orders[1].number} SF12345679` });
      expect(fieldError(invalid, 'trackingNumbers')).toBe(`订单 ${orders[0].number} 的运单号须为 6-40 位字母、数字或 -`);
      const carrier = await runBatch('batchShip', orders.map((o) => o.id), { carrier: 'ups', trackingNumbers: `${orders[0].number} SF12345678\n${orders[1].number} SF12345679` });
      expect(fieldError(carrier, 'carrier')).toMatch(/^须为以下之一：sf/);

      const moved = await runBatch('batchAllocate', orders.map((o) => o.id), { warehouse: second });
      expect(moved.batch!.result).toMatchObject({ done: 1, failed: 1 });
      expect(moved.notice!.message).not.toMatch(/done|skipped|failed/);
      const failed = moved.batch!.result!.items.find((item) => item.outcome === 'failed')!;
      expect(failed.message).toBe(`${second} 的 ${sku} 库存不足：可用 0，需要 1；未做任何修改`);
      expect(await levelIn(sku, first)).toMatchObject({ reserved: 1 });
    });
  });

  describe('batch approve of 200 orders', () => {
    it('approves 200 held orders in one batch; every one goes on to allocation (the time it took is printed)', async () => {
      const sku = unique('B200');
      await stockedCatalogue(app, token(), { [sku]: 200 });
      const orders: Array<{ id: string; number: string }> = [];
      // placed a few at a time (2 cores shared)
      for (let start = 0; start < 200; start += 4) {
        orders.push(...(await Promise.all(Array.from({ length: 4 }, async () => (await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body as { id: string; number: string }))));
      }
      await waitForAll(orders, 'pending_review');

      const started = process.hrtime.bigint();
      const answer = await runBatch('batchApprove', orders.map((o) => o.id));
      const tookMs = Number(process.hrtime.bigint() - started) / 1e6;
      const settledAt = process.hrtime.bigint();
      await waitForAll(orders, 'awaiting_shipment');
      const allSettledMs = tookMs + Number(process.hrtime.bigint() - settledAt) / 1e6;
      console.log(`batch approve of 200 orders: the request took ${(tookMs / 1000).toFixed(1)} s; all 200 awaiting shipment after ${(allSettledMs / 1000).toFixed(1)} s`);

      expect(answer.batch!.result).toMatchObject({ action: 'approve', done: 200, skipped: 0, failed: 0 });
      expect(answer.records).toHaveLength(200);
      expect(await levelIn(sku, (await getOrder(orders[0].id)).shipments[0].warehouse)).toMatchObject({ onHand: 200, reserved: 200, available: 0 });
    }, 300_000);
  });
});
