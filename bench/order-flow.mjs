#!/usr/bin/env node
// Order flow (issue 5): intake → awaiting_shipment through the shipped order-fulfillment.bpmn over HTTP at
// 8 concurrent clients, beside pgbench tpcb-like TPS at 8 clients measured in the same run; then a flash sale
// (1,000 concurrent single-unit orders for 100 units): time to settle, reservations, oversold units, min available.
// Usage: node bench/order-flow.mjs   (needs dist/: `npx tsc -p tsconfig.build.json` if dist/src/app.js is missing)
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_CLIENTS (default 8),
//      BENCH_DURATION_S (order flow, POST back to back, default 20), BENCH_CLOSED_S (closed loop, default 15), BENCH_PGBENCH_S (default 15), BENCH_FLASH_ORDERS (1000),
//      BENCH_FLASH_STOCK (100), BENCH_FLASH_IN_FLIGHT (100).
//
// The app runs in this process (createApp, like workflow-throughput.mjs); the HTTP load runs in a forked child
// process (this file with --load-client), so process.cpuUsage() and the event-loop utilisation of this process
// are the app's alone. PostgreSQL's CPU is read from /proc (all `postgres` processes, live + reaped children).
import { execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ───────────────────────────── load client (child process) ─────────────────────────────
if (process.argv[2] === '--load-client') {
  let seq = 0;
  const orderBody = (sku, tag) => ({
    channel: 'tmall',
    externalId: `BENCH-${tag}-${process.pid}-${++seq}`,
    customer: { name: '张三', phone: '13800138000', email: 'zhangsan@example.com' },
    shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 3 单元 501' },
    lines: [{ sku, quantity: 1, unitPrice: '19.90' }],
    payment: { method: 'alipay', status: 'paid' },
  });
  const post = async (base, token, body) => {
    const postAt = Date.now();
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status !== 201) throw new Error(`POST /api/orders → ${res.status} ${JSON.stringify(json)}`);
    return { id: json.id, postAt, respondedAt: Date.now() };
  };
  process.on('message', async (msg) => {
    const cpu0 = process.cpuUsage();
    try {
      if (msg.cmd === 'flow') {
        // msg.clients closed loops, each posting its next order when the previous POST returned, until the end
        const orders = [];
        const start = Date.now();
        const end = start + msg.durationMs;
        await Promise.all(
          Array.from({ length: msg.clients }, async () => {
            while (Date.now() < end) orders.push(await post(msg.base, msg.token, orderBody(msg.sku, 'flow')));
          }),
        );
        const cpu = process.cpuUsage(cpu0);
        process.send({ orders, start, end: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 });
      } else if (msg.cmd === 'closed') {
        // msg.clients closed loops, each posting its next order only when the previous one reached
        // awaiting_shipment; completion is seen by ONE harness query every 20 ms for all orders in flight
        const { Client } = createRequire(import.meta.url)('pg');
        const db = new Client({ connectionString: msg.dbUrl });
        await db.connect();
        const inFlight = new Map();
        let polling = true;
        const poller = (async () => {
          while (polling) {
            if (inFlight.size) {
              const { rows } = await db.query(`SELECT id FROM customer_order WHERE id = ANY($1::uuid[]) AND status = 'awaiting_shipment'`, [[...inFlight.keys()]]);
              for (const { id } of rows) {
                inFlight.get(id)?.();
                inFlight.delete(id);
              }
            }
            await sleep(20);
          }
        })();
        const orders = [];
        const start = Date.now();
        const end = start + msg.durationMs;
        await Promise.all(
          Array.from({ length: msg.clients }, async () => {
            while (Date.now() < end) {
              const order = await post(msg.base, msg.token, orderBody(msg.sku, 'closed'));
              orders.push(order);
              await new Promise((resolve) => inFlight.set(order.id, resolve));
            }
          }),
        );
        const stopped = Date.now();
        polling = false;
        await poller;
        await db.end();
        const cpu = process.cpuUsage(cpu0);
        process.send({ orders, start, end: stopped, cpuMs: (cpu.user + cpu.system) / 1000 });
      } else if (msg.cmd === 'flash') {
        // msg.total orders, msg.inFlight at a time; meanwhile GET /api/inventory?sku= every msg.sampleMs
        let minAvailable = Infinity;
        let maxOversold = -Infinity;
        let samples = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const res = await fetch(`${msg.base}/api/inventory?sku=${encodeURIComponent(msg.sku)}`, { headers: { authorization: `Bearer ${msg.token}` } });
            const page = await res.json();
            for (const level of page.items) {
              minAvailable = Math.min(minAvailable, level.available);
              maxOversold = Math.max(maxOversold, level.reserved - level.onHand);
            }
            samples++;
            await sleep(msg.sampleMs);
          }
        })();
        const orders = [];
        let next = 0;
        const start = Date.now();
        await Promise.all(
          Array.from({ length: msg.inFlight }, async () => {
            while (next < msg.total) {
              next++;
              orders.push(await post(msg.base, msg.token, orderBody(msg.sku, 'flash')));
            }
          }),
        );
        const postedAt = Date.now();
        // keep sampling until the parent says the sale has settled
        process.once('message', async () => {
          sampling = false;
          await sampler;
          process.send({ orders, start, postedAt, minAvailable, maxOversold, samples });
        });
        process.send({ posted: orders.length });
      }
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

// ───────────────────────────── harness + app (this process) ─────────────────────────────
async function main() {
  const require = createRequire(import.meta.url);
  const { createApp } = require('../dist/src/app.js');
  const { loadConfig } = require('../dist/src/config/config.js');
  const { createScratchDatabase } = require('../dist/src/database/database-url.js');
  const { Client } = require('pg');

  const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
  const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
  const CLOSED_S = Number(process.env.BENCH_CLOSED_S ?? 15);
  const PGBENCH_S = Number(process.env.BENCH_PGBENCH_S ?? 15);
  const FLASH_ORDERS = Number(process.env.BENCH_FLASH_ORDERS ?? 1000);
  const FLASH_STOCK = Number(process.env.BENCH_FLASH_STOCK ?? 100);
  const FLASH_IN_FLIGHT = Number(process.env.BENCH_FLASH_IN_FLIGHT ?? 100);
  const PASSWORD = 'bench-password-1';
  const CORES = cpus().length;
  const runStarted = Date.now();

  const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  /** CPU ms of all `postgres` processes: their own time plus that of reaped children (ended backends). */
  const postgresCpuMs = () => {
    let ticks = 0;
    let seen = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      if (stat.slice(open + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' '); // fields[0] is the state (field 3)
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
      seen++;
    }
    return seen ? (ticks * 1000) / CLK_TCK : NaN;
  };
  const appCpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const xacts = async (db, name) => {
    const [row] = (await db.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`, [name])).rows;
    return Number(row.n);
  };
  const dbName = (url) => decodeURIComponent(new URL(url).pathname.slice(1));
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

  const results = {};
  const scratch = await createScratchDatabase(BASE, 'oms_bench_orders');
  const pgbenchDb = await createScratchDatabase(BASE, 'oms_pgbench');
  const harness = new Client({ connectionString: BASE }); // pg_stat_database, settle polling (one query at a time)
  await harness.connect();
  let running;
  let child;
  try {
    // ── 1. baseline: pgbench tpcb-like at CLIENTS clients ──
    console.log(`[${elapsed()}] pgbench -i -q -s 8, then -c ${CLIENTS} -j ${CLIENTS} -T ${PGBENCH_S} -b tpcb-like …`);
    execFileSync('pgbench', ['-i', '-q', '-s', '8', pgbenchDb.url], { stdio: 'ignore' });
    const pgCpu0 = postgresCpuMs();
    const pgWall0 = Date.now();
    const out = execFileSync('pgbench', ['-c', String(CLIENTS), '-j', String(CLIENTS), '-T', String(PGBENCH_S), '-b', 'tpcb-like', pgbenchDb.url]).toString();
    results.pgbench = {
      tps: Number(/tps = ([\d.]+)/.exec(out)[1]),
      latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]),
      pgCores: (postgresCpuMs() - pgCpu0) / (Date.now() - pgWall0),
    };

    // ── 2. order flow ──
    console.log(`[${elapsed()}] starting the app …`);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: scratch.url,
      DEMO_DATA: 'off',
      LOG_LEVEL: 'warn',
      ADMIN_ENABLED: 'false',
      ADMIN_PASSWORD: PASSWORD,
      WORKER_CONCURRENCY: String(CLIENTS),
    });
    running = await createApp(config, { admin: false });
    const server = await running.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${server.address().port}`;
    const api = async (method, path, body, token) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json().catch(() => null);
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { accessToken: token } = await api('POST', '/api/auth/login', { email: config.ADMIN_EMAIL, password: PASSWORD });
    const tag = Date.now().toString(36).toUpperCase();
    const warehouse = `BW-${tag}`;
    const flowSku = `FLOW-${tag}`;
    const flashSku = `FLASH-${tag}`;
    await api('POST', '/api/warehouses', { code: warehouse, name: `Bench ${warehouse}`, province: '上海市', city: '上海市', priority: 10 }, token);
    await api('POST', '/api/products', { sku: flowSku, name: 'Bench flow product', price: '19.90' }, token);
    await api('PUT', `/api/inventory/${warehouse}/${flowSku}`, { onHand: 1_000_000 }, token);
    await api('POST', '/api/products', { sku: flashSku, name: 'Bench flash-sale product', price: '19.90' }, token);
    await api('PUT', `/api/inventory/${warehouse}/${flashSku}`, { onHand: FLASH_STOCK }, token);

    child = fork(fileURLToPath(import.meta.url), ['--load-client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ask = (msg) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
        if (msg) child.send(msg);
      });

    // warm-up: a few orders through the whole flow so JIT, pools and the deployed definition are hot
    const warm = await ask({ cmd: 'flow', base, token, sku: flowSku, clients: 2, durationMs: 1000 });
    await waitFor(async () => (await api('GET', `/api/orders?sku=${flowSku}&status=awaiting_shipment&pageSize=1`, undefined, token)).total >= warm.orders.length, 60_000);

    // every order of a SKU with its history (list by SKU, 200 a page), and per posted order the latency
    // POST → awaiting_shipment: the history entry's `at` (set in the reserving transaction) minus the POST time
    const views = async (sku) => {
      const all = [];
      for (let page = 1; ; page++) {
        const res = await api('GET', `/api/orders?sku=${sku}&pageSize=200&page=${page}`, undefined, token);
        all.push(...res.items);
        if (res.items.length < 200) break;
      }
      return all;
    };
    const measure = (orders, all) => {
      const byId = new Map(all.map((view) => [view.id, view]));
      const e2e = [];
      const server = [];
      const doneAts = [];
      for (const order of orders) {
        const view = byId.get(order.id);
        const done = view?.history.find((h) => h.to === 'awaiting_shipment');
        if (!done) continue;
        const doneAt = Date.parse(done.at);
        e2e.push(doneAt - order.postAt);
        server.push(doneAt - Date.parse(view.createdAt));
        doneAts.push(doneAt);
      }
      e2e.sort((a, b) => a - b);
      server.sort((a, b) => a - b);
      const postRtt = orders.map((o) => o.respondedAt - o.postAt).sort((a, b) => a - b);
      return { completed: e2e.length, doneAts, p50: pct(e2e, 50), p99: pct(e2e, 99), sp50: pct(server, 50), sp99: pct(server, 99), postP50: pct(postRtt, 50), postP99: pct(postRtt, 99) };
    };
    const counters = async () => ({
      at: Date.now(),
      app: appCpuMs(),
      pg: postgresCpuMs(),
      xacts: await xacts(harness, dbName(scratch.url)),
      elu: performance.eventLoopUtilization(),
    });
    const usage = (c0, c1, clientMs) => ({
      wallMs: c1.at - c0.at,
      appMs: c1.app - c0.app,
      pgMs: c1.pg - c0.pg,
      clientMs,
      xacts: c1.xacts - c0.xacts,
      elu: performance.eventLoopUtilization(c1.elu, c0.elu).utilization,
    });

    // 2a. closed loop (like pgbench's clients): each client posts its next order once the previous one is
    //     awaiting_shipment, so 8 orders are in flight and the latency is the flow's own
    const closedSku = `${flowSku}-C`;
    await api('POST', '/api/products', { sku: closedSku, name: 'Bench closed-loop product', price: '19.90' }, token);
    await api('PUT', `/api/inventory/${warehouse}/${closedSku}`, { onHand: 1_000_000 }, token);
    console.log(`[${elapsed()}] order flow, closed loop: ${CLIENTS} clients for ${CLOSED_S} s …`);
    let c0 = await counters();
    const closed = await ask({ cmd: 'closed', base, token, sku: closedSku, clients: CLIENTS, durationMs: CLOSED_S * 1000, dbUrl: scratch.url });
    let c1 = await counters();
    const closedStats = measure(closed.orders, await views(closedSku));
    results.closed = { posted: closed.orders.length, ...closedStats, perS: closedStats.completed / ((closed.end - closed.start) / 1000), cpu: usage(c0, c1, closed.cpuMs) };

    // 2b. open loop: each client posts its next order as soon as the previous POST returned, for DURATION_S;
    //     the backlog then drains; throughput = orders / (first POST → last awaiting_shipment)
    console.log(`[${elapsed()}] order flow, POST back to back: ${CLIENTS} clients for ${DURATION_S} s …`);
    c0 = await counters();
    const flow = await ask({ cmd: 'flow', base, token, sku: flowSku, clients: CLIENTS, durationMs: DURATION_S * 1000 });
    const cWindow = await counters();
    const posted = flow.orders.length;
    console.log(`[${elapsed()}] ${posted} orders posted; waiting for the backlog to reach awaiting_shipment …`);
    const drained = await waitFor(
      async () => (await api('GET', `/api/orders?sku=${flowSku}&status=awaiting_shipment&pageSize=1`, undefined, token)).total >= posted + warm.orders.length,
      180_000,
    );
    c1 = await counters();
    const flowStats = measure(flow.orders, await views(flowSku));
    const lastDone = Math.max(...flowStats.doneAts);
    results.flow = {
      posted,
      drained,
      ...flowStats,
      wallMs: flow.end - flow.start,
      intakePerS: posted / ((flow.end - flow.start) / 1000),
      inWindow: flowStats.doneAts.filter((at) => at <= flow.end).length,
      drainS: (lastDone - flow.end) / 1000,
      perS: flowStats.completed / ((lastDone - flow.start) / 1000),
      window: usage(c0, cWindow, flow.cpuMs),
      total: usage(c0, c1, flow.cpuMs),
    };
    // ── 3. flash sale ──
    console.log(`[${elapsed()}] flash sale: ${FLASH_ORDERS} orders, ${FLASH_IN_FLIGHT} in flight, for ${FLASH_STOCK} units …`);
    const flashStarted = Date.now();
    await ask({ cmd: 'flash', base, token, sku: flashSku, total: FLASH_ORDERS, inFlight: FLASH_IN_FLIGHT, sampleMs: 100 });
    const allPostedMs = Date.now() - flashStarted;
    const scratchDb = new Client({ connectionString: scratch.url });
    await scratchDb.connect();
    const settledCount = async () => {
      const { rows } = await scratchDb.query(
        `SELECT count(*)::int AS n FROM customer_order o
           JOIN order_line l ON l.order_id = o.id AND l.sku = $1
           JOIN process_instance p ON p.id = o.process_instance_id
          WHERE o.status IN ('awaiting_shipment', 'awaiting_stock') AND p.status = 'waiting'
            AND NOT EXISTS (SELECT 1 FROM workflow_job j WHERE j.instance_id = p.id AND j.status = 'pending' AND j.run_at <= now())`,
        [flashSku],
      );
      return rows[0].n;
    };
    const settled = await waitFor(async () => (await settledCount()) >= FLASH_ORDERS, 180_000, 50);
    const settleMs = Date.now() - flashStarted;
    await scratchDb.end();
    const flashReply = await ask({ cmd: 'stop' }); // the sampler stops; the orders and samples come back
    // verify through the API: every order and its process instance
    const statuses = {};
    const instanceStatuses = {};
    for (let i = 0; i < flashReply.orders.length; i += 20) {
      await Promise.all(
        flashReply.orders.slice(i, i + 20).map(async ({ id }) => {
          const order = await api('GET', `/api/orders/${id}`, undefined, token);
          statuses[order.status] = (statuses[order.status] ?? 0) + 1;
          const instance = order.processInstanceId ? await api('GET', `/api/process-instances/${order.processInstanceId}`, undefined, token) : { status: 'none' };
          instanceStatuses[instance.status] = (instanceStatuses[instance.status] ?? 0) + 1;
        }),
      );
    }
    const [level] = (await api('GET', `/api/inventory?sku=${flashSku}`, undefined, token)).items;
    results.flash = {
      orders: flashReply.orders.length,
      settled,
      allPostedMs,
      settleMs,
      statuses,
      instanceStatuses,
      level,
      oversold: Math.max(0, level.reserved - level.onHand),
      minAvailable: flashReply.minAvailable,
      maxOversoldSeen: Math.max(0, flashReply.maxOversold),
      samples: flashReply.samples,
    };
  } finally {
    child?.disconnect();
    child?.kill();
    await running?.close().catch((error) => console.error('close:', error));
    await harness.end();
    await scratch.drop();
    await pgbenchDb.drop();
  }
  printSummary(results, { CLIENTS, DURATION_S, CLOSED_S, PGBENCH_S, FLASH_ORDERS, FLASH_STOCK, FLASH_IN_FLIGHT, CORES, totalMs: Date.now() - runStarted });

  function elapsed() {
    return `${((Date.now() - runStarted) / 1000).toFixed(1).padStart(5)} s`;
  }
}

async function waitFor(check, timeoutMs, everyMs = 200) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}

function printSummary(r, o) {
  const c = r.closed;
  const f = r.flow;
  const fs = r.flash;
  const tps = r.pgbench.tps;
  const n0 = (x) => x.toFixed(0);
  const n1 = (x) => x.toFixed(1);
  const cores = (u, ms) => `${(ms / u.wallMs).toFixed(2)} cores`;
  const split = (u) =>
    `app ${cores(u, u.appMs)} (event loop ${n0(100 * u.elu)}% busy), PostgreSQL ${cores(u, u.pgMs)}, load client ${cores(u, u.clientMs)} of ${o.CORES}`;
  const perOrder = (u, orders) =>
    `app ${n1(u.appMs / orders)} ms CPU, PostgreSQL ${n1(u.pgMs / orders)} ms CPU, ${n1(u.xacts / orders)} transactions (${n0(u.xacts / (u.wallMs / 1000))} xact/s)`;
  const rows = [
    ['BASELINE', ''],
    [`pgbench tpcb-like, ${o.CLIENTS} clients, ${o.PGBENCH_S} s, -s 8`, `${n0(tps)} TPS (avg latency ${r.pgbench.latencyMs} ms; PostgreSQL used ${r.pgbench.pgCores.toFixed(2)} cores)`],
    [`ORDER FLOW, CLOSED LOOP (${o.CLIENTS} clients, ${o.CLOSED_S} s; next POST when the last order is awaiting_shipment)`, ''],
    ['intake → awaiting_shipment', `${c.completed}/${c.posted} orders → ${n1(c.perS)} orders/s`],
    ['latency POST → awaiting_shipment p50 / p99', `${c.p50} ms / ${c.p99} ms (createdAt → awaiting_shipment ${c.sp50} / ${c.sp99} ms; POST itself p50 ${c.postP50} ms)`],
    ['ratio orders/s ÷ pgbench TPS (goal 0.4)', (c.perS / tps).toFixed(4)],
    ['CPU split (wall-clock average)', split(c.cpu)],
    ['cost per order', perOrder(c.cpu, c.completed)],
    [`ORDER FLOW, POST BACK TO BACK (${o.CLIENTS} clients, ${o.DURATION_S} s; backlog drains afterwards)`, ''],
    ['orders posted (201)', `${f.posted} → ${n1(f.intakePerS)}/s intake (POST p50 ${f.postP50} ms, p99 ${f.postP99} ms)`],
    ['reached awaiting_shipment', `${f.completed}/${f.posted}${f.drained ? '' : ' (TIMED OUT)'}, ${f.inWindow} within the ${o.DURATION_S} s, the last ${n1(f.drainS)} s after it`],
    ['intake → awaiting_shipment (first POST → last done)', `${n1(f.perS)} orders/s`],
    ['latency POST → awaiting_shipment p50 / p99', `${f.p50} ms / ${f.p99} ms (queueing behind the backlog)`],
    ['ratio orders/s ÷ pgbench TPS (goal 0.4)', (f.perS / tps).toFixed(4)],
    ['CPU split while posting', split(f.window)],
    ['CPU split, posting + drain', split(f.total)],
    ['cost per order (posting + drain)', perOrder(f.total, f.completed)],
    [`FLASH SALE (${fs.orders} orders × 1 unit, ${o.FLASH_IN_FLIGHT} in flight, ${o.FLASH_STOCK} units)`, ''],
    ['all POSTs answered', `${n1(fs.allPostedMs / 1000)} s`],
    ['time to settle (all orders waiting in their flow)', `${n1(fs.settleMs / 1000)} s${fs.settled ? '' : ' (TIMED OUT)'}`],
    [`awaiting_shipment (must be ${o.FLASH_STOCK})`, String(fs.statuses.awaiting_shipment ?? 0)],
    [`awaiting_stock (must be ${fs.orders - o.FLASH_STOCK})`, String(fs.statuses.awaiting_stock ?? 0)],
    ['order statuses / process-instance statuses', `${JSON.stringify(fs.statuses)} / ${JSON.stringify(fs.instanceStatuses)}`],
    ['final level onHand / reserved / available', `${fs.level.onHand} / ${fs.level.reserved} / ${fs.level.available}`],
    ['oversold units (reserved − onHand, must be 0)', `${fs.oversold} (max seen while sampling: ${fs.maxOversoldSeen})`],
    ['min available while sampling (must be ≥ 0)', `${fs.minAvailable} (${fs.samples} samples, every 100 ms)`],
    ['whole run', `${n1(o.totalMs / 1000)} s`],
  ];
  const width = Math.max(...rows.filter(([, v]) => v !== '').map(([k]) => k.length));
  console.log(`\n${'─'.repeat(width + 60)}`);
  for (const [k, v] of rows) console.log(v === '' ? `\n${k}` : `  ${k.padEnd(width)}  ${v}`);
  console.log('─'.repeat(width + 60));
  const ok = fs.statuses.awaiting_shipment === o.FLASH_STOCK && (fs.statuses.awaiting_stock ?? 0) === fs.orders - o.FLASH_STOCK && fs.oversold === 0 && fs.minAvailable >= 0 && fs.settled;
  console.log(`flash sale checks: ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok) process.exitCode = 1;
}
