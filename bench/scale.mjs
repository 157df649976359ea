#!/usr/bin/env node
/*
 * Reports, the order list, search and the dashboard at 1,000,000 orders (issue 13 item 4, "Acceptance").
 * Usage: npm run build && node bench/scale.mjs
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_ORDERS (1000000), BENCH_CHUNK (orders per
 *      load transaction, 100000), BENCH_DAYS (the orders spread over this many days up to today, 365), BENCH_RUNS (timed
 *      runs per measure, 40), BENCH_KEEP_DB (1: keep the scratch database).
 *
 * 1. A scratch database; a first app start migrates it (and seeds the admin), then the app stops.
 * 2. BENCH_ORDERS orders straight into PostgreSQL with SQL (generate_series; not through the API): 200 products, 200,000
 *    customers, 1-3 lines each (~2 per order), statuses as a shop has them (60 % completed, 8 % cancelled, 5 % unpaid …),
 *    a refund case on 1 % of them. The report triggers are off during the load (session_replication_role = replica);
 *    then report_rollup_rebuild() builds the rollups from the orders, as a change of the shop's time zone does; then
 *    VACUUM (ANALYZE), as autovacuum would do later.
 * 3. The app starts again; each measure is run BENCH_RUNS times after 3 warm-ups, one at a time, through HTTP as a client
 *    sees it (bearer token; the dashboard with an admin session): p50 / p95. Reports cover the last 31 days.
 * 4. EXPLAIN (ANALYZE) of the statements behind each measure, the plan's scan lines: which index each uses.
 */
import { printTable } from './lib/report.mjs';
import { createRequire } from 'node:module';
import { startApp } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const { createScratchDatabase } = require('../dist/src/database/database-url.js');
const { REPORT_SQL, STATUS_TOTAL_SQL, STATUS_TOTALS_SQL } = require('../dist/src/reports/report-rollups.js');
const { OPEN_CASE_STATUSES } = require('../dist/src/after-sales/case-status.js');
const { Client } = require('pg');

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const PASSWORD = 'bench-password-1';
const EMAIL = 'admin@example.com';
const ZONE = 'Asia/Shanghai';
const PRODUCTS = 200;
const CUSTOMERS = 200_000;

const runStarted = Date.now();
const say = (text) => console.log(`[${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${text}`);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const ms = (value) => `${value.toFixed(1)} ms`;
const shopDay = (at) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(at);

// sku s (1..PRODUCTS) of line k of order g, and its price; the order's status by g % 100
const SKU = `((g * 13 + k * 7) % ${PRODUCTS}) + 1`;
const PRICE = (s) => `(5 + (${s}) % 200)::numeric(12,2)`;
const STATUS = `CASE WHEN g % 100 < 60 THEN 'completed' WHEN g % 100 < 68 THEN 'shipped' WHEN g % 100 < 73 THEN 'delivered'
  WHEN g % 100 < 80 THEN 'awaiting_shipment' WHEN g % 100 < 82 THEN 'pending_review' WHEN g % 100 < 87 THEN 'pending_payment'
  WHEN g % 100 < 95 THEN 'cancelled' WHEN g % 100 < 97 THEN 'exception' ELSE 'awaiting_stock' END`;
const PAID = `(g % 100 NOT BETWEEN 82 AND 86 AND g % 100 NOT BETWEEN 91 AND 94)`;

const { PORT: _port, ...inherited } = process.env;
const scratch = await createScratchDatabase(BASE, 'oms_bench_scale');
const appEnv = { ...inherited, NODE_ENV: 'production', DATABASE_URL: scratch.url, DEMO_DATA: 'off', LOG_LEVEL: 'warn', ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD };
const db = new Client({ connectionString: scratch.url });
let app;
const results = [];
try {
  await db.connect();
  say('first start: migrations …');
  app = await startApp(appEnv, { label: 'scale-setup' });
  await app.stop();
  app = undefined;

  // ── 2. the load ──
  say(`loading ${ORDERS.toLocaleString('en')} orders with SQL (chunks of ${CHUNK.toLocaleString('en')}) …`);
  const loadStarted = Date.now();
  await db.query(`SET session_replication_role = replica`); // no triggers (report rollups, foreign keys) while loading
  await db.query(`INSERT INTO product (sku, name, price) SELECT 'SCALE-' || lpad(s::text, 4, '0'), '商品 ' || s, ${PRICE('s')} FROM generate_series(1, ${PRODUCTS}) s`);
  const now = Date.now();
  for (let first = 1; first <= ORDERS; first += CHUNK) {
    const last = Math.min(ORDERS, first + CHUNK - 1);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO customer_order (id, number, channel, external_id, status, customer_name, customer_phone, shipping_address, payment_method, payment_status,
                                   payment_amount, paid_at, items_total, shipping_fee, grand_total, placed_at, created_at, updated_at)
       SELECT md5('scale' || g)::uuid, 'SC' || lpad(g::text, 10, '0'), 'tmall', 'SCALE-' || g, ${STATUS},
              '客户' || (g * 31) % ${CUSTOMERS}, '139' || lpad(((g * 31) % ${CUSTOMERS})::text, 8, '0'),
              '{"province":"浙江省","city":"杭州市","line1":"文三路 100 号"}', 'alipay', CASE WHEN ${PAID} THEN 'paid' ELSE 'pending' END,
              CASE WHEN ${PAID} THEN t.total END, CASE WHEN ${PAID} THEN placed END, t.total, 0, t.total, placed, placed, placed
         FROM generate_series($1::int, $2::int) g
        CROSS JOIN LATERAL (SELECT to_timestamp($3::double precision / 1000) - ((g::bigint * 7919) % ($4::bigint * 86400)) * interval '1 second' AS placed) p
        CROSS JOIN LATERAL (SELECT sum((1 + (g + k) % 3) * ${PRICE(SKU)}) AS total FROM generate_series(1, 1 + g % 3) k) t`,
      [first, last, now, DAYS],
    );
    await db.query(
      `INSERT INTO order_line (order_id, line_no, sku, name, quantity, unit_price, reserved, shipped)
       SELECT md5('scale' || g)::uuid, k, 'SCALE-' || lpad((${SKU})::text, 4, '0'), '商品 ' || (${SKU}), 1 + (g + k) % 3, ${PRICE(SKU)}, 0, 0
         FROM generate_series($1::int, $2::int) g, generate_series(1, 1 + g % 3) k`,
      [first, last],
    );
    // a refund on 1 % of the orders (all completed ones)
    await db.query(
      `INSERT INTO after_sales_case (number, order_id, type, status, reason, refund_amount, refunded_at, opened_by, created_at, updated_at, closed_at)
       SELECT 'ASC' || lpad(g::text, 10, '0'), md5('scale' || g)::uuid, 'refund_only', 'closed', 'bench', 1.00, o.placed_at + interval '3 days', 'bench',
              o.placed_at + interval '2 days', o.placed_at + interval '3 days', o.placed_at + interval '3 days'
         FROM generate_series($1::int, $2::int) g JOIN customer_order o ON o.id = md5('scale' || g)::uuid WHERE g % 100 = 0`,
      [first, last],
    );
    await db.query('COMMIT');
    say(`  ${last.toLocaleString('en')} orders`);
  }
  await db.query(`SET session_replication_role = DEFAULT`);
  const loadMs = Date.now() - loadStarted;
  say(`rollups: report_rollup_rebuild('${ZONE}') …`);
  const rebuildStarted = Date.now();
  await db.query('BEGIN');
  await db.query(`SELECT report_rollup_rebuild($1)`, [ZONE]);
  await db.query('COMMIT');
  const rebuildMs = Date.now() - rebuildStarted;
  say('VACUUM (ANALYZE) …');
  const vacuumStarted = Date.now();
  await db.query('VACUUM (ANALYZE)');
  const vacuumMs = Date.now() - vacuumStarted;
  const [{ orders, lines, size }] = (
    await db.query(`SELECT (SELECT count(*) FROM customer_order)::int AS orders, (SELECT count(*) FROM order_line)::int AS lines, pg_size_pretty(pg_database_size(current_database())) AS size`)
  ).rows;
  results.push(['load: orders + lines + refund cases (SQL)', `${(loadMs / 1000).toFixed(1)} s`, '', `${orders.toLocaleString('en')} orders, ${lines.toLocaleString('en')} lines`]);
  results.push(['load: build the rollups (recount)', `${(rebuildMs / 1000).toFixed(1)} s`, '', '']);
  results.push(['load: VACUUM (ANALYZE)', `${(vacuumMs / 1000).toFixed(1)} s`, '', `database ${size}`]);

  // ── 3. timings through the app ──
  say('starting the app on the loaded database …');
  app = await startApp(appEnv, { label: 'scale' });
  const login = await fetch(`${app.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
  const token = (await login.json()).accessToken;
  const adminLogin = await fetch(`${app.base}/admin/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.base }, body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = (adminLogin.headers.getSetCookie?.() ?? []).map((entry) => entry.split(';')[0]).join('; ');
  const to = shopDay(new Date(now));
  const from = shopDay(new Date(now - 30 * 86_400_000));
  const sampleDay = shopDay(new Date(now - 10 * 86_400_000));
  const { rows: [sample] } = await db.query(`SELECT number, customer_phone AS phone FROM customer_order WHERE external_id = 'SCALE-' || $1`, [Math.floor(ORDERS / 2)]);
  const dayStart = `${sampleDay}T00:00:00+08:00`;
  const dayEnd = `${sampleDay}T23:59:59.999+08:00`;

  const time = async (name, path, headers, goalMs, check) => {
    const call = async () => {
      const started = performance.now();
      const res = await fetch(`${app.base}${path}`, { headers });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${body.slice(0, 300)}`);
      return { elapsed: performance.now() - started, body };
    };
    for (let i = 0; i < 3; i++) await call();
    const samples = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      last = await call();
      samples.push(last.elapsed);
    }
    samples.sort((a, b) => a - b);
    const p95 = pct(samples, 95);
    results.push([name, `p50 ${ms(pct(samples, 50))}, p95 ${ms(p95)}`, `< ${goalMs} ms`, `${p95 < goalMs ? 'ok' : 'MISSED'}${check ? ` · ${check(JSON.parse(last.body))}` : ''}`]);
  };
  const bearer = { authorization: `Bearer ${token}` };
  say(`timing (${RUNS} runs each, after 3 warm-ups) …`);
  for (const report of Object.keys(REPORT_SQL)) {
    await time(`report ${report} (31 days, JSON)`, `/api/reports/${report}?from=${from}&to=${to}`, bearer, 1000, (body) => `${body.rows.length.toLocaleString('en')} rows`);
  }
  await time('report customer-behaviour (31 days, top 200)', `/api/reports/customer-behaviour?from=${from}&to=${to}&limit=200`, bearer, 1000, (body) => `${body.rows.length} rows`);
  await time('report daily-sales (31 days, XLSX)', `/api/reports/daily-sales?from=${from}&to=${to}&format=xlsx`, bearer, 1000);
  await time('order list (newest 20, with total)', '/api/orders?pageSize=20', bearer, 100, (body) => `total ${body.total.toLocaleString('en')}`);
  await time('search by order number', `/api/orders?pageSize=20&number=${sample.number}`, bearer, 100, (body) => `${body.total} found`);
  await time('search by phone', `/api/orders?pageSize=20&phone=${sample.phone}`, bearer, 100, (body) => `${body.total} found`);
  await time('search by placed date (one day)', `/api/orders?pageSize=20&from=${encodeURIComponent(dayStart)}&to=${encodeURIComponent(dayEnd)}`, bearer, 100, (body) => `${body.total.toLocaleString('en')} found`);
  await time('dashboard (admin, all its queries)', '/admin/api/dashboard', { cookie }, 100, (body) => `${body.counts.total.toLocaleString('en')} orders, ${body.reports.days.length} days charted`);

  // ── 4. EXPLAIN ──
  const listSql = (where) =>
    `SELECT o.id FROM customer_order o ${where} ORDER BY o.placed_at DESC, o.number DESC LIMIT 20`;
  const countSql = (where) => `SELECT count(DISTINCT o.id) FROM customer_order o ${where}`;
  const explained = [
    ...Object.entries(REPORT_SQL).map(([report, sql]) => [`report ${report}`, sql, [from, to]]),
    ['order list: page', listSql(''), []],
    ['order list: total (the rollup: no filter but status)', STATUS_TOTAL_SQL, [null]],
    ['search by number: page', listSql('WHERE o.number = $1'), [sample.number]],
    ['search by phone: page', listSql('WHERE o.customer_phone = $1'), [sample.phone]],
    ['search by phone: total', countSql('WHERE o.customer_phone = $1'), [sample.phone]],
    ['search by date: page', listSql('WHERE o.placed_at >= $1 AND o.placed_at <= $2'), [dayStart, dayEnd]],
    ['search by date: total', countSql('WHERE o.placed_at >= $1 AND o.placed_at <= $2'), [dayStart, dayEnd]],
    ['dashboard: orders per status', STATUS_TOTALS_SQL, []],
    ['dashboard: open after-sales cases', `SELECT count(*) FROM after_sales_case c JOIN customer_order o ON o.id = c.order_id WHERE c.status = ANY($1)`, [OPEN_CASE_STATUSES]],
  ];
  console.log('\nEXPLAIN (ANALYZE) — scan nodes of each plan:');
  for (const [name, sql, params] of explained) {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, params);
    const plan = rows.map((row) => row['QUERY PLAN']);
    const scans = plan.filter((line) => /Scan|Function Scan/.test(line)).map((line) => line.trim().replace(/^->\s*/, ''));
    const total = plan.find((line) => line.startsWith('Execution Time'));
    console.log(`  ${name}: ${scans.join(' | ')}${total ? ` (${total})` : ''}`);
  }
} finally {
  await app?.stop();
  await db.end().catch(() => {});
  if (!KEEP_DB) await scratch.drop();
  else say(`kept ${scratch.url}`);
}
printTable(['measure', 'value', 'goal', 'check'], results);
