// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg');
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { startTestApp } from '../helpers/test-app';

it('counts round trips per order', async () => {
  const calls: string[] = [];
  let counting = false;
  const ids = new Map<object, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string })?.text;
    if (!ids.has(this as object)) ids.set(this as object, ids.size + 1);
    if (counting) calls.push(`[c${ids.get(this as object)}] ` + String(text).replace(/\s+/g, ' ').slice(0, 120));
    return original.apply(this, args);
  };
  const app = await startTestApp({ env: { WORKER_POLL_MS: '60000' } });
  const token = await app.login();
  const auth = { Authorization: `Bearer ${token}` };
  const sku = unique('SKU');
  await stockedCatalogue(app, token, { [sku]: 100 });
  for (let i = 0; i < 3; i++) {
    counting = true;
    calls.length = 0;
    const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }])).expect(201);
    const intake = calls.length;
    await new Promise((r) => setTimeout(r, 1500));
    counting = false;
    const order = (await app.http.get(`/api/orders/${created.body.id}`).set(auth).expect(200)).body;
    expect(order.status).toBe('awaiting_shipment');
    console.log(`intake ${intake}, total ${calls.length}\n` + calls.map((c, n) => `${n + 1}. ${c}`).join('\n'));
  }
  expect(calls.length).toBeGreaterThan(0);
  await app.close();
});
