import { randomBytes } from 'node:crypto';
import { adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { FakeKuaidi100 } from '../helpers/fake-kuaidi100';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually } from '../helpers/test-app';

/**
 * Issue 15 item 4 in the admin (G1.4): the packer's 打包 with the carrier's label service down says, in Chinese, that the
 * packing is saved and the e-waybill follows; 重新获取电子面单 fetches it once the service is back, once.
 */
describe('the admin\'s 打包 with a Kuaidi100 e-waybill (admin session)', () => {
  const admin = useAdminApp();
  const http = () => admin.app.http;
  let fake: FakeKuaidi100;

  beforeAll(async () => {
    fake = new FakeKuaidi100();
    const fakeUrl = await fake.start();
    await http().post('/api/integrations').set(admin.auth).send({
      kind: 'kuaidi100', name: unique('kd').replace(/[^A-Za-z0-9_-]/g, '').slice(-40),
      settings: { apiBaseUrl: fakeUrl, eWaybills: { zto: { tempId: 'T-ZTO-1' } }, sender: { name: '测试仓', mobile: '13900139000' } },
      secrets: { key: fake.key, salt: randomBytes(8).toString('hex'), secret: fake.secret },
    }).expect(201);
  });
  afterAll(async () => fake.stop());

  it('the service down: 打包 is kept and says so in Chinese; 重新获取电子面单 puts the number on the parcel, one waybill only', async () => {
    const sku = unique('KDA').slice(-30);
    await stockedCatalogue(admin.app, admin.auth.Authorization.slice(7), { [sku]: 3 });
    const created = (await http().post('/api/orders').set(admin.auth).send(orderBody([{ sku, quantity: 1 }])).expect(201)).body;
    const order = await eventually(async () => {
      const current = (await http().get(`/api/orders/${created.id}`).set(admin.auth).expect(200)).body;
      return current.status === 'awaiting_shipment' ? current : undefined;
    }, { what: 'the order to await shipment' });
    const shipmentId = order.shipments[0].id as string;
    const packer = await adminSignInWithRole(admin.app, 'warehouse'); // a new user: the install's language, zh-CN

    fake.down.add('/label/order');
    const packed = (await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/pack`).set('Cookie', packer).expect(200)).body;
    expect(packed.notice.type).toBe('success');
    expect(packed.notice.message).toMatch(new RegExp(`^订单 ${order.number} 的发货单已打包；中通快递电子面单暂未取得（Kuaidi100 answered HTTP 503.*）。打包已保存，系统会自动重试，取得运单号后再打印面单$`));
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body).toMatchObject({ status: 'packed', trackingNumber: null });

    // another role may not ask
    const operator = await adminSignInWithRole(admin.app, 'operator');
    expect((await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/fetchWaybill`).set('Cookie', operator).expect(200)).body.notice?.message).toBe('forbiddenError');

    fake.down.delete('/label/order');
    const fetched = (await http().get(`/admin/api/resources/Shipment/records/${shipmentId}/fetchWaybill`).set('Cookie', packer).expect(200)).body;
    expect(fake.waybillsIssued).toHaveLength(1);
    const number = fake.waybillsIssued[0].kuaidinum;
    expect(fetched.notice).toMatchObject({ type: 'success', message: `已为订单 ${order.number} 重新获取电子面单；已取得中通快递电子面单，运单号 ${number}，请打印面单` });
    expect((await http().get(`/api/shipments/${shipmentId}`).set(admin.auth).expect(200)).body).toMatchObject({ status: 'packed', carrier: 'zto', trackingNumber: number });
    expect(fake.calls.filter((call) => call.path === '/label/order' && call.status === 200)).toHaveLength(1);
  });
});
