import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { ShipmentDocumentsService } from '../../src/fulfillment/documents/shipment-documents.service';
import { adminSignIn, adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, eventually } from '../helpers/test-app';

/** Pages of a PDF (pdfkit writes each page's dictionary uncompressed). */
const pageCount = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

type Level = { warehouse: string; sku: string; onHand: number; reserved: number; available: number };

/**
 * Issue 14 item 5 (G1.4, G2.3, G2.4) over the admin's own addresses: receiving and adjusting stock, pick lists and the
 * shipment documents — who may (a role without the permission gets 403 or AdminJS's "forbidden"), and bad input refused
 * with a clear message and nothing changed.
 */
describe('the warehouse screens (admin session)', () => {
  const admin = useAdminApp();
  const http = () => admin.app.http;
  const token = () => admin.auth.Authorization.slice('Bearer '.length);
  const receive = '/admin/api/resources/StockLevel/actions/receiveStock';
  const adjust = '/admin/api/resources/StockLevel/actions/adjustStock';
  const createWave = '/admin/api/resources/PickList/actions/createWave';

  const level = async (warehouse: string, sku: string): Promise<Level> =>
    (await http().get(`/api/inventory?warehouse=${warehouse}&sku=${encodeURIComponent(sku)}`).set(admin.auth).expect(200)).body.items[0];
  const ledgerRows = async (sku: string) => Number((await admin.app.running.app.get(DataSource).query(`SELECT count(*)::int AS n FROM stock_movement WHERE sku = $1`, [sku]))[0].n);
  const orderIn = (id: string, status: string) =>
    eventually(async () => {
      const order = (await http().get(`/api/orders/${id}`).set(admin.auth).expect(200)).body;
      return order.status === status ? order : undefined;
    }, { what: `order ${id} to be ${status}` });
  const allocatedOrder = async () => {
    const sku = unique('WHS');
    const { warehouse } = await stockedCatalogue(admin.app, token(), { [sku]: 5 });
    const created = (await http().post('/api/orders').set(admin.auth).send(orderBody([{ sku, quantity: 2 }])).expect(201)).body;
    const order = await orderIn(created.id, 'awaiting_shipment');
    return { sku, warehouse, order, shipmentId: order.shipments[0].id as string };
  };
  /** A user holding a role made of exactly these permissions, signed in to the admin. */
  const signInWithPermissions = async (...permissions: string[]) => {
    const role = unique('r').toLowerCase().replace(/[^a-z0-9_-]/g, '').slice(0, 40);
    await http().post('/api/roles').set(admin.auth).send({ name: role, description: 'test', permissions }).expect(201);
    const email = `${unique(role)}@test.local`.toLowerCase();
    const id = await admin.app.running.app.get(AuthService).createUser(email, 'role-password-1', [role]);
    return { id, cookie: await adminSignIn(admin.app, email, 'role-password-1') };
  };

  it('receiving goods in the admin wakes an order waiting for them, as the adjustments API does', async () => {
    const sku = unique('WHR');
    const { warehouse } = await stockedCatalogue(admin.app, token(), { [sku]: 0 });
    const created = (await http().post('/api/orders').set(admin.auth).send(orderBody([{ sku, quantity: 3 }])).expect(201)).body;
    await orderIn(created.id, 'awaiting_stock');

    const form = (await http().get(receive).set('Cookie', admin.adminCookie).expect(200)).body.form;
    expect(form.sections[0].fields.map((field: { name: string }) => field.name)).toEqual(['warehouse', 'sku', 'quantity', 'reference']);
    const done = (await http().post(receive).type('form').send({ warehouse, sku, quantity: '5', reference: 'PO-778' }).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(done.notice).toMatchObject({ type: 'success', message: `Received 5 of ${sku} in ${warehouse}: on hand 5, reserved 0, available 5` });
    expect(done.redirectUrl).toMatch(/^\/admin\/resources\/StockLevel\/records\/[0-9a-f-]{36}\/show$/);

    const allocated = await orderIn(created.id, 'awaiting_shipment');
    expect(allocated.lines[0].reserved).toBe(3);
    expect(await level(warehouse, sku)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    const [movement] = await admin.app.running.app.get(DataSource).query(`SELECT kind, on_hand_delta, reason, created_by FROM stock_movement WHERE sku = $1 AND kind = 'receipt'`, [sku]);
    expect(movement).toEqual({ kind: 'receipt', on_hand_delta: 5, reason: 'received: PO-778', created_by: ADMIN_EMAIL });
  });

  it('an adjustment needs a reason, a non-zero whole number and a known SKU; a refused one changes nothing', async () => {
    const sku = unique('WHA');
    const { warehouse } = await stockedCatalogue(admin.app, token(), { [sku]: 4 });
    const before = await ledgerRows(sku);
    const post = async (path: string, form: Record<string, string>) => (await http().post(path).type('form').send(form).set('Cookie', admin.adminCookie).expect(200)).body;

    expect((await post(adjust, { warehouse, sku, delta: '-1', reason: '' })).fieldErrors).toEqual({ reason: 'is required' });
    expect((await post(adjust, { warehouse, sku, delta: '0', reason: 'count' })).fieldErrors).toEqual({ delta: expect.stringMatching(/not be equal to 0/) });
    expect((await post(adjust, { warehouse, sku, delta: 'two', reason: 'count' })).fieldErrors).toEqual({ delta: 'must be a whole number' });
    expect((await post(receive, { warehouse, sku, quantity: '-3' })).fieldErrors).toEqual({ quantity: 'must be a positive whole number' });
    expect((await post(receive, { warehouse, sku, quantity: '0' })).fieldErrors).toEqual({ quantity: 'must be a positive whole number' });
    const unknownSku = await post(receive, { warehouse, sku: 'NO-SUCH-SKU-1', quantity: '2' });
    expect(unknownSku).toMatchObject({ notice: { type: 'error', message: 'Product NO-SUCH-SKU-1 was not found' }, fieldErrors: { sku: 'Product NO-SUCH-SKU-1 was not found' } });
    const unknownWarehouse = await post(adjust, { warehouse: 'NO-SUCH-WH', sku, delta: '2', reason: 'count' });
    expect(unknownWarehouse.fieldErrors).toEqual({ warehouse: 'Warehouse NO-SUCH-WH was not found' });
    // more than is there: refused by the service with the numbers
    const tooMany = await post(adjust, { warehouse, sku, delta: '-9', reason: 'lost' });
    expect(tooMany.notice).toMatchObject({ type: 'error', message: `${sku} in ${warehouse} has 4 on hand and 0 reserved; removing 9 is not possible` });

    expect(await level(warehouse, sku)).toMatchObject({ onHand: 4, reserved: 0 });
    expect(await ledgerRows(sku)).toBe(before);

    const done = await post(adjust, { warehouse, sku, delta: '-1', reason: 'damaged in the aisle' });
    expect(done.notice).toMatchObject({ type: 'success', message: `Adjusted ${sku} in ${warehouse} by -1: on hand 3, reserved 0, available 3` });
    expect(await level(warehouse, sku)).toMatchObject({ onHand: 3 });
  });

  it('the refusals read in Chinese for a zh-CN user', async () => {
    const { id, cookie } = await signInWithPermissions('inventory.read', 'inventory.write');
    await http().patch(`/api/users/${id}`).set(admin.auth).send({ locale: 'zh-CN' }).expect(200);
    const sku = unique('WHZ');
    const { warehouse } = await stockedCatalogue(admin.app, token(), { [sku]: 1 });
    const noReason = (await http().post(adjust).type('form').send({ warehouse, sku, delta: '1' }).set('Cookie', cookie).expect(200)).body;
    expect(noReason.fieldErrors).toEqual({ reason: '必填' });
    const unknown = (await http().post(receive).type('form').send({ warehouse, sku: 'NO-SUCH-SKU-2', quantity: '1' }).set('Cookie', cookie).expect(200)).body;
    expect(unknown.notice.message).toBe('未找到商品 NO-SUCH-SKU-2');
    const form = (await http().get(receive).set('Cookie', cookie).expect(200)).body.form;
    expect(form).toMatchObject({ title: '入库', submitLabel: '确认入库' });
  });

  it('the stock list finds a level by part of its SKU or of its product name, and shows the product name', async () => {
    const sku = unique('WHL');
    await stockedCatalogue(admin.app, token(), { [sku]: 7 });
    const list = async (q: string) => (await http().get(`/admin/api/resources/StockLevel/actions/list?filters.q=${encodeURIComponent(q)}`).set('Cookie', admin.adminCookie).expect(200)).body;
    const bySku = await list(sku.slice(0, -2));
    expect(bySku.records.map((record: { params: { sku: string } }) => record.params.sku)).toContain(sku);
    const found = bySku.records.find((record: { params: { sku: string } }) => record.params.sku === sku);
    expect(found.params).toMatchObject({ productName: expect.stringContaining(sku), onHand: 7, available: 7 });
    const byName = await list(`Product ${sku}`);
    expect(byName.records.map((record: { params: { sku: string } }) => record.params.sku)).toEqual([sku]);
    expect((await list('no product is called this')).records).toEqual([]);
    // the product page shows its stock per warehouse
    const [product] = await admin.app.running.app.get(DataSource).query(`SELECT id FROM product WHERE sku = $1`, [sku]);
    const shown = (await http().get(`/admin/api/resources/Product/records/${product.id}/show`).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(JSON.parse(shown.record.params.stockLevels)).toEqual([expect.objectContaining({ onHand: 7, reserved: 0, available: 7 })]);
  });

  it('a wave is created, printed with its lines and confirmed from the admin; the shipment\'s PDFs open with the session', async () => {
    const { sku, warehouse, order, shipmentId } = await allocatedOrder();
    const wave = (await http().post(createWave).type('form').send({ warehouse, maxShipments: '5' }).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(wave.notice).toMatchObject({ type: 'success', message: expect.stringMatching(/^Pick list PL\d+ created with 1 shipment\(s\)$/) });
    const pickListId = wave.redirectUrl.match(/records\/([0-9a-f-]{36})\/show/)[1];
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body).toMatchObject({ status: 'picking', pickListId });

    const shown = (await http().get(`/admin/api/resources/PickList/records/${pickListId}/show`).set('Cookie', admin.adminCookie).expect(200)).body.record;
    expect(shown.params.detail).toMatchObject({ warehouse, status: 'open', lines: [{ sku, quantity: 2, name: `Product ${sku}` }], shipments: [{ id: shipmentId, orderNumber: order.number }] });

    const print = await http().get(`/admin/warehouse/pick-lists/${pickListId}/print`).set('Cookie', admin.adminCookie).expect(200);
    expect(print.headers['content-type']).toMatch(/^text\/html/);
    expect(print.text).toContain(sku);
    expect(print.text).toContain(order.number);
    expect(print.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const labels = await http().get(`/admin/warehouse/pick-lists/${pickListId}/labels.pdf`).set('Cookie', admin.adminCookie).buffer(true).expect(200);
    expect(labels.headers['content-type']).toBe('application/pdf');
    expect(pageCount(Buffer.from(labels.body))).toBe(1);
    // a wave's labels: one page per shipment, in one PDF
    const two = await admin.app.running.app.get(ShipmentDocumentsService).renderLabels([shipmentId, shipmentId], 'TWO');
    expect(pageCount(two.pdf)).toBe(2);

    for (const file of ['label.pdf', 'packing-slip.pdf', 'invoice.pdf']) {
      const pdf = await http().get(`/admin/warehouse/shipments/${shipmentId}/${file}`).set('Cookie', admin.adminCookie).buffer(true).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(Buffer.from(pdf.body).subarray(0, 5).toString()).toBe('%PDF-');
    }
    await http().get(`/admin/warehouse/shipments/${shipmentId}/secrets.pdf`).set('Cookie', admin.adminCookie).expect(404);
    await http().get(`/admin/warehouse/shipments/not-a-uuid/label.pdf`).set('Cookie', admin.adminCookie).expect(404);
    // without a session: AdminJS sends the browser to its login page
    expect((await http().get(`/admin/warehouse/shipments/${shipmentId}/label.pdf`).expect(302)).headers.location).toBe('/admin/login');

    const confirmed = (await http().get(`/admin/api/resources/PickList/records/${pickListId}/confirmPicked`).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(confirmed.notice).toMatchObject({ type: 'success', message: expect.stringMatching(/confirmed as picked$/) });
    expect((await http().get(`/api/pick-lists/${pickListId}`).set(admin.auth).expect(200)).body).toMatchObject({ status: 'picked', pickedBy: ADMIN_EMAIL });
    const again = (await http().get(`/admin/api/resources/PickList/records/${pickListId}/confirmPicked`).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(again.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/only open pick lists can be confirmed/) });

    // packed from the shipment's page, as POST /api/shipments/{id}/pack
    const packed = (await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/pack`).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(packed.notice).toMatchObject({ type: 'success', message: `Shipment of order ${order.number} packed` });
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body).toMatchObject({ status: 'packed', packedBy: ADMIN_EMAIL });
    const packedAgain = (await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/pack`).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(packedAgain.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/is packed; only allocated or picking shipments can be packed/) });

    // nothing left to pick there: the service's refusal, no empty pick list
    const empty = (await http().post(createWave).type('form').send({ warehouse, maxShipments: '5' }).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(empty.notice).toMatchObject({ type: 'error', message: `There are no shipments waiting to be picked in ${warehouse}` });
    const bad = (await http().post(createWave).type('form').send({ warehouse, maxShipments: '-1' }).set('Cookie', admin.adminCookie).expect(200)).body;
    expect(bad.fieldErrors).toEqual({ maxShipments: expect.stringMatching(/less than 1/) });
  });

  it('a role without inventory.write, shipments.write or orders.read is refused the warehouse actions and documents, and nothing changes', async () => {
    const { sku, warehouse, shipmentId } = await allocatedOrder();
    const operator = await adminSignInWithRole(admin.app, 'operator'); // inventory.read, no inventory.write or shipments.write
    const forbidden = (body: { notice?: { message?: string } }) => expect(body.notice?.message).toBe('forbiddenError');

    forbidden((await http().post(receive).type('form').send({ warehouse, sku, quantity: '50' }).set('Cookie', operator).expect(200)).body);
    forbidden((await http().post(adjust).type('form').send({ warehouse, sku, delta: '-1', reason: 'x' }).set('Cookie', operator).expect(200)).body);
    forbidden((await http().post(createWave).type('form').send({ warehouse }).set('Cookie', operator).expect(200)).body);
    forbidden((await http().get(createWave).set('Cookie', operator).expect(200)).body);
    expect(await level(warehouse, sku)).toMatchObject({ onHand: 5, reserved: 2 });
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body.status).toBe('allocated');

    // the warehouse role may: a wave, then the confirmation is refused to the operator
    const warehouseStaff = await adminSignInWithRole(admin.app, 'warehouse');
    const wave = (await http().post(createWave).type('form').send({ warehouse }).set('Cookie', warehouseStaff).expect(200)).body;
    expect(wave.notice.type).toBe('success');
    const pickListId = wave.redirectUrl.match(/records\/([0-9a-f-]{36})\/show/)[1];
    forbidden((await http().get(`/admin/api/resources/PickList/records/${pickListId}/confirmPicked`).set('Cookie', operator).expect(200)).body);
    forbidden((await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/pack`).set('Cookie', operator).expect(200)).body);
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body.status).toBe('picking');
    expect((await http().get(`/api/pick-lists/${pickListId}`).set(admin.auth).expect(200)).body.status).toBe('open');

    // documents carry the customer's address: orders.read, as the API's routes
    const { cookie: catalogueOnly } = await signInWithPermissions('catalog.read');
    for (const path of [`/admin/warehouse/shipments/${shipmentId}/label.pdf`, `/admin/warehouse/shipments/${shipmentId}/invoice.pdf`, `/admin/warehouse/pick-lists/${pickListId}/print`, `/admin/warehouse/pick-lists/${pickListId}/labels.pdf`]) {
      const refused = await http().get(path).set('Cookie', catalogueOnly).expect(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    forbidden((await http().get(`/admin/api/resources/PickList/actions/list`).set('Cookie', catalogueOnly).expect(200)).body);
    forbidden((await http().get(`/admin/api/resources/StockLevel/actions/list`).set('Cookie', catalogueOnly).expect(200)).body);
    // and the product page shows no stock to someone who may not read it
    const [product] = await admin.app.running.app.get(DataSource).query(`SELECT id FROM product WHERE sku = $1`, [sku]);
    const shown = (await http().get(`/admin/api/resources/Product/records/${product.id}/show`).set('Cookie', catalogueOnly).expect(200)).body;
    expect(shown.record.params.stockLevels).toBeUndefined();
  });
});
