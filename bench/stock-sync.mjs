#!/usr/bin/env node
// Stock sync's cost on the stock write path (issue 15 item 2): the same work with and without a connector that syncs
// stock, in the same run, on the same database.
// Usage: npm run build && node bench/stock-sync.mjs [--only=writes,orders]
// Parts:
//   writes  stock changes straight in PostgreSQL, BENCH_CLIENTS clients, each a transaction of one reservation-like
//           UPDATE of stock_level (a SKU of its own per client) for BENCH_WRITES_S: transactions/s with no syncing
//           connector, then with one (the triggers note and queue a push at each commit), then with none again
//   orders  a burst of BENCH_ORDERS paid 1-unit orders of ONE SKU, POSTed from BENCH_CLIENTS clients: intake (201/s) and
//           the time until every order has its reservation (awaiting_shipment); without a syncing connector, then with
//           one (a Shopify connector pointed at a local fake that takes BENCH_FAKE_MS per request), after a warm-up burst: how many stock
//           pushes the 1,000 reservations made, and the level the platform ends at
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_CLIENTS (8), BENCH_WRITES_S (8),
//      BENCH_ORDERS (1000), BENCH_FAKE_MS (50).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { printTable, jsonApi, waitFor } from './lib/report.mjs';
import { sleep, startApp } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const { createScratchDatabase } = require('../dist/src/database/database-url.js');
const { Client } = require('pg');

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const WRITES_S = Number(process.env.BENCH_WRITES_S ?? 8);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1000);
const FAKE_MS = Number(process.env.BENCH_FAKE_MS ?? 50);
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7).split(',');
const runs = (part) => !only || only.includes(part);
const ADMIN = { email: 'bench-admin@bench.local', password: 'bench-admin-password-1' };
const started = Date.now();
const say = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
const rows = [];

/** Shopify's GraphQL stock calls, answered after FAKE_MS like a platform across the internet: every SKU exists. */
async function fakeShopify() {
  const sets = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', async () => {
      await sleep(FAKE_MS);
      const { query, variables } = JSON.parse(body);
      if (query.includes('productVariants')) {
        const sku = JSON.parse(variables.query.slice(4));
        response.end(JSON.stringify({ data: { productVariants: { nodes: [{ id: 'v', sku, inventoryItem: { id: `gid://shopify/InventoryItem/${encodeURIComponent(sku)}` } }] } } }));
      } else {
        const [quantity] = variables.input.quantities;
        sets.push({ sku: decodeURIComponent(quantity.inventoryItemId.split('/').pop()), quantity: quantity.quantity });
        response.end(JSON.stringify({ data: { inventorySetQuantities: { userErrors: [] } } }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, sets, close: () => new Promise((resolve) => server.close(resolve)) };
}

const scratch = await createScratchDatabase(BASE, 'oms_bench_stock');
const fake = await fakeShopify();
let app;
const db = new Client({ connectionString: scratch.url });
try {
  app = await startApp({
    ...process.env, NODE_ENV: 'production', DATABASE_URL: scratch.url, DEMO_DATA: 'off', LOG_LEVEL: 'warn', ADMIN_ENABLED: 'false',
    ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WORKER_CONCURRENCY: String(CLIENTS),
  }, { label: 'stock-sync' });
  await db.connect();
  let token;
  const api = jsonApi(app.base, () => token);
  token = (await api('POST', '/api/auth/login', ADMIN)).accessToken;
  await api('POST', '/api/warehouses', { code: 'BW', name: 'Bench', province: '上海市', city: '上海市', priority: 10 });
  const stock = async (sku, onHand) => {
    await api('POST', '/api/products', { sku, name: `Bench ${sku}`, price: '19.90' });
    await api('PUT', `/api/inventory/BW/${sku}`, { onHand });
  };
  let connectorId;
  const syncing = async (on) => {
    if (on) {
      connectorId = (await api('POST', '/api/integrations', {
        kind: 'shopify', name: `bench-${Date.now().toString(36)}`,
        settings: { apiBaseUrl: fake.url, locationId: '1', stockSync: true, stockBuffer: 5 },
        secrets: { webhookSecret: 'bench', accessToken: 'shpat_bench' },
      })).id;
    } else if (connectorId) {
      await api('DELETE', `/api/integrations/${connectorId}`);
      connectorId = undefined;
    }
  };

  if (runs('writes')) {
    const skus = Array.from({ length: CLIENTS }, (_, i) => `W${i}`);
    for (const sku of skus) await stock(sku, 100_000_000);
    const clients = await Promise.all(skus.map(async () => {
      const client = new Client({ connectionString: scratch.url });
      await client.connect();
      return client;
    }));
    const round = async (label) => {
      let done = 0;
      const until = Date.now() + WRITES_S * 1000;
      await Promise.all(clients.map(async (client, i) => {
        while (Date.now() < until) {
          await client.query('BEGIN');
          await client.query(`UPDATE stock_level SET reserved = reserved + 1 WHERE sku = $1`, [skus[i]]);
          await client.query('COMMIT');
          done++;
        }
      }));
      const perS = done / WRITES_S;
      say(`writes ${label}: ${perS.toFixed(0)} transactions/s`);
      return perS;
    };
    const before = await round('without a syncing connector');
    await syncing(true);
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM integration_push WHERE status IN ('pending','sending')`)).rows[0].n === 0, 60_000);
    const pushes0 = (await db.query(`SELECT count(*)::int AS n FROM integration_push`)).rows[0].n;
    const withSync = await round('with a syncing connector');
    const pushes = (await db.query(`SELECT count(*)::int AS n FROM integration_push`)).rows[0].n - pushes0;
    await syncing(false);
    const after = await round('without again');
    const baseline = (before + after) / 2;
    rows.push(['writes', `${CLIENTS} clients, 1 UPDATE of stock_level per transaction`, `${baseline.toFixed(0)}/s without (${before.toFixed(0)}, ${after.toFixed(0)}), ${withSync.toFixed(0)}/s with a syncing connector`, `${(withSync / baseline).toFixed(2)}; ${pushes} push rows for ${Math.round(withSync * WRITES_S)} changes`]);
    await Promise.all(clients.map((client) => client.end()));
  }

  if (runs('orders')) {
    const burst = async (label, sku, count = ORDERS) => {
      await stock(sku, 1_000_000);
      const t0 = Date.now();
      let next = 0;
      const ids = [];
      await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
        while (next < count) {
          const n = next++;
          const order = await api('POST', '/api/orders', {
            channel: 'bench', externalId: `${sku}-${c}-${n}`,
            customer: { name: '张三', phone: `139${String(n).padStart(8, '0')}` },
            shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号' },
            lines: [{ sku, quantity: 1, unitPrice: '19.90' }], payment: { method: 'alipay', status: 'paid' },
          });
          ids.push(order.id);
        }
      }));
      const intakeS = (Date.now() - t0) / 1000;
      await waitFor(async () => (await db.query(`SELECT reserved FROM stock_level WHERE sku = $1`, [sku])).rows[0].reserved >= count, 900_000, 250);
      const reservedS = (Date.now() - t0) / 1000;
      say(`orders ${label}: ${count} POSTed in ${intakeS.toFixed(1)} s, all reserved after ${reservedS.toFixed(1)} s`);
      return { intake: count / intakeS, reserved: count / reservedS };
    };
    // warm-up, so that the first measured burst does not pay for the JIT, the pools and the deployed diagram
    await burst('warm-up', 'BURST-WARM', Math.min(100, ORDERS));
    const without = await burst('without a syncing connector', 'BURST-A');
    await syncing(true);
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM integration_push WHERE status IN ('pending','sending')`)).rows[0].n === 0, 120_000);
    const withSync = await burst('with a syncing connector', 'BURST-B');
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM integration_push WHERE status IN ('pending','sending')`)).rows[0].n === 0, 120_000);
    const pushes = (await db.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'sent')::int AS sent FROM integration_push WHERE push_key = 'stock:BURST-B'`)).rows[0];
    const level = fake.sets.filter((set) => set.sku === 'BURST-B').at(-1)?.quantity;
    rows.push(['orders', `intake (POST 201/s), ${ORDERS} orders of one SKU, ${CLIENTS} clients`, `${without.intake.toFixed(1)}/s without, ${withSync.intake.toFixed(1)}/s with`, (withSync.intake / without.intake).toFixed(2)]);
    rows.push(['orders', 'orders reserved/s (POST → all reserved)', `${without.reserved.toFixed(1)}/s without, ${withSync.reserved.toFixed(1)}/s with`, (withSync.reserved / without.reserved).toFixed(2)]);
    rows.push(['orders', `stock pushes for the ${ORDERS} reservations (fake platform ${FAKE_MS} ms a call)`, `${pushes.n} queued, ${pushes.sent} sent; platform ends at ${level} (expected ${1_000_000 - ORDERS - 5})`, level === 1_000_000 - ORDERS - 5 ? 'ok' : 'WRONG']);
  }
  printTable(['part', 'measure', 'value', 'ratio / check'], rows);
} finally {
  await db.end().catch(() => undefined);
  await app?.stop();
  await fake.close();
  await scratch.drop();
}
