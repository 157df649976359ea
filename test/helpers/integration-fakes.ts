import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/**
 * What the connector tests of issue 15 item 6 share: a local fake of the Shopify Admin API (the credentials check), a
 * Shopify orders/create delivery signed the documented way, and a database that refuses a channel's orders (a failure
 * on our side, to replay once it is lifted).
 */

/** Shopify's documented orders/create sample payload, with a fresh 64-bit id per call. */
const SAMPLE = JSON.parse(readFileSync(join(__dirname, '../fixtures/shopify-order-create.json'), 'utf8')) as Record<string, unknown>;

export function shopifyOrder(overrides: Record<string, unknown> = {}): { text: string; id: string } {
  const id = `8${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return { text: JSON.stringify({ ...SAMPLE, id: 'ID_PLACEHOLDER', ...overrides }).replace('"ID_PLACEHOLDER"', id), id };
}

/** The headers Shopify sends with a delivery: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body with the webhook secret. */
export const shopifyHeaders = (body: string, secret: string, webhookId: string = randomUUID(), topic = 'orders/create') => ({
  'Content-Type': 'application/json',
  'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
  'X-Shopify-Topic': topic,
  'X-Shopify-Webhook-Id': webhookId,
});

/** GET /admin/api/2025-07/shop.json answering 200 for `token` only, else 401, as Shopify does. */
export async function startFakeShopifyAdmin(token: string, shopName = '测试小店'): Promise<{ base: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const ok = request.url === '/admin/api/2025-07/shop.json' && request.headers['x-shopify-access-token'] === token;
    response.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(ok ? { shop: { name: shopName, myshopify_domain: 'oms-test.myshopify.com' } } : { errors: '[API] Invalid API key or access token' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The database refuses the orders of `channel` (what a full disk, a bug or a constraint does on our side); call the answer to lift it. */
export async function refuseOrdersOf(db: DataSource, channel: string): Promise<() => Promise<void>> {
  const fn = `refuse_${randomBytes(6).toString('hex')}`;
  await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF NEW.channel = '${channel.replace(/'/g, "''")}' THEN RAISE EXCEPTION 'test: the database refuses this order'; END IF; RETURN NEW; END $$`);
  await db.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON customer_order FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  return async () => {
    await db.query(`DROP TRIGGER ${fn} ON customer_order`);
    await db.query(`DROP FUNCTION ${fn}()`);
  };
}
