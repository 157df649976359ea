import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuthService } from '../../src/auth/auth.service';
import { eventually, type TestApp } from './test-app';

let sequence = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;

/** A warehouse and products with stock, created through the API like an integration would. */
export async function stockedCatalogue(app: TestApp, token: string, stock: Record<string, number>, warehouse = unique('WH').slice(0, 30)) {
  const auth = { Authorization: `Bearer ${token}` };
  await app.http.post('/api/warehouses').set(auth).send({ code: warehouse, name: `Warehouse ${warehouse}`, province: '上海市', city: '上海市', priority: 10 }).expect(201);
  for (const [sku, onHand] of Object.entries(stock)) {
    await app.http.post('/api/products').set(auth).send({ sku, name: `Product ${sku}`, price: '19.90' }).expect(201);
    await app.http.put(`/api/inventory/${warehouse}/${sku}`).set(auth).send({ onHand }).expect(200);
  }
  return { warehouse };
}

/** A valid paid order body for the given lines (API.md "Orders"). */
export function orderBody(lines: Array<{ sku: string; quantity: number; unitPrice?: string }>, overrides: Record<string, unknown> = {}) {
  return {
    channel: 'tmall',
    externalId: unique('EXT'),
    customer: { name: '张三', phone: '13800138000', email: 'zhangsan@example.com' },
    shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 3 单元 501' },
    lines: lines.map((line) => ({ unitPrice: '19.90', ...line })),
    payment: { method: 'alipay', status: 'paid' },
    ...overrides,
  };
}

/** A new user holding `roles` and a bearer token of theirs. */
export async function userWithRoles(app: TestApp, ...roles: string[]): Promise<{ id: string; email: string; auth: Record<string, string> }> {
  const email = `${unique(roles.join('-') || 'nobody')}@test.local`.toLowerCase();
  const password = 'role-password-1';
  const id = await app.running.app.get(AuthService).createUser(email, password, roles);
  return { id, email, auth: { Authorization: `Bearer ${await app.login(email, password)}` } };
}

/**
 * A paid order (19.90 a unit) of fresh SKUs, shipped in one step from a fresh warehouse holding `stock` of each: what an
 * after-sales case starts from.
 */
export async function shippedOrder(app: TestApp, auth: Record<string, string>, quantities: number[], stock = 10) {
  const skus = quantities.map(() => unique('AS'));
  const { warehouse } = await stockedCatalogue(app, auth.Authorization.slice(7), Object.fromEntries(skus.map((sku) => [sku, stock])));
  const created = await app.http.post('/api/orders').set(auth).send(orderBody(skus.map((sku, i) => ({ sku, quantity: quantities[i] })))).expect(201);
  await eventually(async () => ((await app.http.get(`/api/orders/${created.body.id}`).set(auth).expect(200)).body.status === 'awaiting_shipment' ? true : undefined), {
    what: `order ${created.body.number} to await shipment`,
  });
  await app.http.post(`/api/orders/${created.body.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200);
  const order = (await app.http.get(`/api/orders/${created.body.id}`).set(auth).expect(200)).body;
  return { order, skus, warehouse };
}

/** The events that have template files (templates/sms/zh-CN/<event>.text.hbs), read from the files, not the code's list. */
export function templateEvents(): string[] {
  return [...new Set(readdirSync(join(__dirname, '../../templates/sms/zh-CN')).map((file) => file.split('.')[0]))];
}
