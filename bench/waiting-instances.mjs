#!/usr/bin/env node
// 1,000,000 instances waiting on a message in PostgreSQL (issue 12, "Acceptance"), with the worker running: its
// resident memory, and how late timers fire that fall due in the middle of that.
// Usage: npm run build && node bench/waiting-instances.mjs
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_WAITING (1000000),
//      BENCH_CHUNK (instances per load transaction, 25000), BENCH_LOADERS (connections loading chunks side by side, 2),
//      BENCH_HISTORY (off; on: also copy the instance's history rows, process_activity and task_execution, ~10 per order),
//      BENCH_TIMERS (2000), BENCH_TIMER_SPREAD_S (20), BENCH_TIMER_DELAY_S (30), BENCH_KEEP_DB (1: keep the database).
//      Anything else in the environment reaches the app (WORKERS, WORKER_CONCURRENCY, WORKER_POLL_MS …).
//
// 1. A first app start migrates the database; one real paid order is run to awaiting_shipment (its instance waits at
//    Event_OrderShipped for OrderShipped) and a timer diagram is deployed (start → timer PT<delay>S → end).
// 2. With the app stopped, that order's instance is cloned BENCH_WAITING times with SQL (generate_series): its
//    process_instance row (state ~14 KB of JSON, ~4.6 KB stored) and its rows in the workflow tables that point at it
//    (workflow_job; with BENCH_HISTORY=on also process_activity and task_execution), column for column as the runtime
//    wrote them, each clone with its own id and business key; then VACUUM (ANALYZE), as autovacuum would do later.
// 3. The app starts again (`node dist/src/main.js`; WORKERS=N forks workers) and its process tree's resident memory
//    is sampled from /proc/<pid>/status every 200 ms from then on.
// 4. BENCH_TIMERS timer instances are started through the API, evenly over BENCH_TIMER_SPREAD_S: the runtime itself arms
//    each timer (a timer job due BENCH_TIMER_DELAY_S after its start step). Lateness of a timer = the job's finished_at
//    (set by the statement that saves the step that fired it) − its run_at (the due time).
import { printTable, waitFor, jsonApi } from './lib/report.mjs';
import { createRequire } from 'node:module';
import { processTree, rssMb, sleep, startApp } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const { createScratchDatabase } = require('../dist/src/database/database-url.js');
const { Client } = require('pg');

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WAITING = Number(process.env.BENCH_WAITING ?? 1_000_000);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 25_000);
const LOADERS = Number(process.env.BENCH_LOADERS ?? 2);
const HISTORY = process.env.BENCH_HISTORY === 'on';
/** History tables: copied only with BENCH_HISTORY=on (they hold most of the rows, and no waiting instance reads them). */
const HISTORY_TABLES = new Set(['process_activity', 'task_execution']);
const TIMERS = Number(process.env.BENCH_TIMERS ?? 2000);
const SPREAD_S = Number(process.env.BENCH_TIMER_SPREAD_S ?? 20);
const DELAY_S = Number(process.env.BENCH_TIMER_DELAY_S ?? 30);
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const PASSWORD = 'bench-password-1';
const TIMER_KEY = 'bench-timer';

const runStarted = Date.now();
const say = (text) => console.log(`[${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${text}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

const timerDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D_bench_timer" targetNamespace="http://oms.dev/bench">
  <bpmn:process id="${TIMER_KEY}" isExecutable="true">
    <bpmn:startEvent id="S" />
    <bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="T" />
    <bpmn:intermediateCatchEvent id="T" name="Wait ${DELAY_S} s">
      <bpmn:timerEventDefinition id="T_def"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT${DELAY_S}S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="T" targetRef="E" />
    <bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

const { PORT: _port, ...inherited } = process.env;
const scratch = await createScratchDatabase(BASE, 'oms_bench_waiting');
const appEnv = { ...inherited, NODE_ENV: 'production', DATABASE_URL: scratch.url, DEMO_DATA: 'off', LOG_LEVEL: 'warn', ADMIN_ENABLED: 'false', ADMIN_PASSWORD: PASSWORD };
const db = new Client({ connectionString: scratch.url });
let app;
let sampling = false;
const results = [];
const result = (measure, value, goal = '', check = '') => results.push([measure, value, goal, check]);
try {
  await db.connect();

  // ── 1. schema, one real waiting order, the timer diagram ──
  say('first start: migrations, one paid order to awaiting_shipment, the timer diagram …');
  app = await startApp(appEnv, { label: 'setup' });
  const api = apiOf(app.base);
  await api.login(process.env.ADMIN_EMAIL ?? 'admin@example.com', PASSWORD);
  await api.call('POST', '/api/warehouses', { code: 'BW', name: 'Bench', province: '上海市', city: '上海市', priority: 10 });
  await api.call('POST', '/api/products', { sku: 'WAIT-1', name: 'Bench product', price: '19.90' });
  await api.call('PUT', '/api/inventory/BW/WAIT-1', { onHand: 10 });
  const order = await api.call('POST', '/api/orders', {
    channel: 'tmall',
    externalId: 'BENCH-WAITING-TEMPLATE',
    customer: { name: '张三', phone: '13800138000', email: 'bench-waiting@example.com' },
    shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号' },
    lines: [{ sku: 'WAIT-1', quantity: 1, unitPrice: '19.90' }],
    payment: { method: 'alipay', status: 'paid' },
  });
  const waits = await waitFor(async () => {
    const { rows } = await db.query(`SELECT status, waiting FROM process_instance WHERE id = $1`, [order.processInstanceId]);
    return rows[0]?.status === 'waiting' && JSON.stringify(rows[0].waiting).includes('OrderShipped');
  }, 60_000);
  if (!waits) throw new Error(`the template order's instance ${order.processInstanceId} did not come to wait for OrderShipped`);
  await api.call('POST', `/api/workflows/${TIMER_KEY}/versions`, { xml: timerDiagram });
  await app.stop();
  app = undefined;

  // ── 2. clone it ──
  const template = order.processInstanceId;
  const tables = (await workflowTablesOf(db)).filter(({ table }) => HISTORY || !HISTORY_TABLES.has(table));
  say(`loading ${WAITING.toLocaleString('en')} waiting instances (process_instance + ${tables.map((t) => t.table).join(', ')}), ${CHUNK.toLocaleString('en')} per statement …`);
  const loadStarted = Date.now();
  const rowsPerTable = await cloneInstance(scratch.url, template, WAITING, tables);
  const loadMs = Date.now() - loadStarted;
  // vacuumed now rather than by autovacuum in the middle of the measurement (a bulk load is not what a day looks like)
  const analyzeStarted = Date.now();
  await db.query(`VACUUM (ANALYZE) process_instance`);
  for (const { table } of tables) await db.query(`VACUUM (ANALYZE) ${table}`);
  const analyzeMs = Date.now() - analyzeStarted;
  const { rows: [size] } = await db.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`);
  const perTable = Object.entries(rowsPerTable).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n.toLocaleString('en')}`).join(', ');
  result(`load ${WAITING.toLocaleString('en')} waiting instances (SQL)`, `${seconds(loadMs)} (+ VACUUM ANALYZE ${seconds(analyzeMs)}); rows: ${perTable}; database ${size.size}`, 'well under a few minutes');
  say(`loaded in ${seconds(loadMs)}; VACUUM ANALYZE ${seconds(analyzeMs)}; ${perTable}; database ${size.size}`);

  // ── 3. the measured app, memory sampled from its start ──
  say('starting the app with them waiting …');
  const startedAt = Date.now();
  const peaks = new Map(); // pid → { role, max VmRSS }
  sampling = true;
  let appPid;
  const sampler = (async () => {
    while (sampling) {
      if (appPid) {
        for (const pid of processTree(appPid)) {
          const mem = rssMb(pid);
          if (!mem) continue;
          const peak = peaks.get(pid) ?? { role: pid === appPid ? 'main' : 'forked', rss: 0, hwm: 0 };
          peak.rss = Math.max(peak.rss, mem.rss);
          peak.hwm = Math.max(peak.hwm, mem.hwm);
          peaks.set(pid, peak);
        }
      }
      await sleep(200);
    }
  })();
  app = await startApp(appEnv, { label: 'waiting', onSpawn: (pid) => (appPid = pid) });
  const upMs = Date.now() - startedAt;
  await sleep(1000); // forked workers, if any, are up by now
  const rssAtStart = processTree(app.pid).map((pid) => rssMb(pid)?.rss ?? 0);
  result(`app start to /health 200 with ${WAITING.toLocaleString('en')} waiting`, `${seconds(upMs)}; RSS 1 s later ${rssAtStart.map((mb) => `${mb.toFixed(0)} MB`).join(' + ')}`);
  await api.relogin(app.base);

  // ── 4. timers, armed by the runtime, due in the middle of it all ──
  say(`starting ${TIMERS} timer instances over ${SPREAD_S} s (each due ${DELAY_S} s after its start step) …`);
  const timersStarted = Date.now();
  const interval = (SPREAD_S * 1000) / TIMERS;
  let next = 0;
  const failures = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= TIMERS) return;
        const wait = timersStarted + i * interval - Date.now();
        if (wait > 0) await sleep(wait);
        await api.call('POST', '/api/process-instances', { key: TIMER_KEY, businessKey: `BENCH-TIMER-${i}` }).catch((error) => failures.push(error.message));
      }
    }),
  );
  if (failures.length) throw new Error(`${failures.length} timer instances were not started, e.g. ${failures[0]}`);
  const startsMs = Date.now() - timersStarted;
  say(`all started after ${seconds(startsMs)}; waiting for their timers …`);
  const timerState = async () =>
    (
      await db.query(
        `SELECT count(*) FILTER (WHERE j.status = 'done')::int AS done, count(*) FILTER (WHERE j.status = 'pending')::int AS pending,
                count(*) FILTER (WHERE j.status NOT IN ('done','pending'))::int AS other,
                (SELECT count(*)::int FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id WHERE d.key = $1 AND i.status = 'completed') AS completed
           FROM workflow_job j JOIN process_instance i ON i.id = j.instance_id JOIN workflow_definition d ON d.id = i.definition_id
          WHERE d.key = $1 AND j.kind = 'timer'`,
        [TIMER_KEY],
      )
    ).rows[0];
  const fired = await waitFor(async () => (await timerState()).completed >= TIMERS, (DELAY_S + SPREAD_S + 180) * 1000, 500);
  const state = await timerState();
  const { rows: late } = await db.query(
    `SELECT extract(epoch FROM j.finished_at - j.run_at) * 1000 AS ms FROM workflow_job j
       JOIN process_instance i ON i.id = j.instance_id JOIN workflow_definition d ON d.id = i.definition_id
      WHERE d.key = $1 AND j.kind = 'timer' AND j.status = 'done' ORDER BY 1`,
    [TIMER_KEY],
  );
  const lateness = late.map((row) => Number(row.ms));
  const { rows: [due] } = await db.query(
    `SELECT extract(epoch FROM min(j.run_at) - $2::timestamptz) AS first, extract(epoch FROM max(j.run_at) - $2::timestamptz) AS last
       FROM workflow_job j JOIN process_instance i ON i.id = j.instance_id JOIN workflow_definition d ON d.id = i.definition_id
      WHERE d.key = $1 AND j.kind = 'timer'`,
    [TIMER_KEY, new Date(timersStarted)],
  );
  sampling = false;
  await sampler;
  const p99 = pct(lateness, 99);
  // starts still running when the first timers fall due compete with them: then the lateness is not the timers' alone
  const overlap = startsMs / 1000 > Number(due.first);
  result(
    `timer instances started through the API (${TIMERS}, paced over ${SPREAD_S} s)`,
    `in ${seconds(startsMs)}${overlap ? ` — still starting when the first fell due (${Number(due.first).toFixed(1)} s): raise BENCH_TIMER_DELAY_S` : ''}`,
    `before the first is due`,
    overlap ? 'MISSED' : 'ok',
  );
  result(`timers fired (due ${Number(due.first).toFixed(1)}–${Number(due.last).toFixed(1)} s after the first start)`, `${state.done}/${TIMERS}${fired ? '' : ' (TIMED OUT)'}; pending ${state.pending}, failed/cancelled ${state.other}; instances completed ${state.completed}`, String(TIMERS), fired ? 'ok' : 'MISSED');
  result('timer lateness (finished_at − run_at) p50 / p99 / max', `${pct(lateness, 50)?.toFixed(0)} / ${p99?.toFixed(0)} / ${lateness.at(-1)?.toFixed(0)} ms`, 'p99 < 1000 ms', p99 < 1000 ? 'ok' : 'MISSED');
  const mainPeak = [...peaks.values()].filter((p) => p.role === 'main');
  const forked = [...peaks.values()].filter((p) => p.role === 'forked');
  const peakOf = (list) => Math.max(...list.map((p) => Math.max(p.rss, p.hwm)));
  const workerPeak = forked.length ? peakOf(forked) : peakOf(mainPeak);
  result(`worker RSS, max during the run (${forked.length ? `${forked.length} forked worker(s)` : 'one process does everything'})`, `${workerPeak.toFixed(0)} MB${forked.length ? `; main (web) ${peakOf(mainPeak).toFixed(0)} MB` : ''}`, '< 300 MB', workerPeak < 300 ? 'ok' : 'MISSED');
} finally {
  sampling = false;
  await app?.stop().catch((error) => console.error('stop:', error));
  await db.end();
  if (KEEP_DB) console.log(`kept the database: ${scratch.url}`);
  else await scratch.drop();
}
result('whole run', seconds(Date.now() - runStarted));
printTable(['measure', 'value', 'goal', 'check'], results);

/** Tables of the workflow runtime whose rows belong to an instance (a column instance_id → process_instance). */
async function workflowTablesOf(client) {
  const { rows } = await client.query(
    `SELECT c.conrelid::regclass::text AS table
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'process_instance'::regclass AND a.attname = 'instance_id' AND array_length(c.conkey, 1) = 1
      ORDER BY 1`,
  );
  return rows;
}

/** Column names of a table, without those its own defaults fill (serial / generated ids). */
async function copiedColumnsOf(client, table) {
  const { rows } = await client.query(
    `SELECT column_name AS name, column_default AS dflt, is_identity = 'YES' OR is_generated = 'ALWAYS' AS generated
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.filter((column) => !column.generated && !(column.name === 'id' && column.dflt !== null && table !== 'process_instance')).map((column) => column.name);
}

/**
 * `count` copies of instance `template`: chunk by chunk (LOADERS connections side by side), the instance row (own id, own
 * business key) and its rows in each of `tables` (pointing at the copy), all other columns as they are. Returns the rows
 * written per table.
 */
async function cloneInstance(url, template, count, tables) {
  const quote = (name) => `"${name.replaceAll('"', '""')}"`;
  const setup = new Client({ connectionString: url });
  await setup.connect();
  const instanceColumns = await copiedColumnsOf(setup, 'process_instance');
  const pick = (name) => (name === 'id' ? 'c.id' : name === 'business_key' ? `'BENCH-W-' || c.n` : `t.${quote(name)}`);
  const statements = [
    ['process_instance', `INSERT INTO process_instance (${instanceColumns.map(quote).join(', ')}) SELECT ${instanceColumns.map(pick).join(', ')} FROM clone c, process_instance t WHERE t.id = $1`],
  ];
  for (const { table } of tables) {
    const columns = await copiedColumnsOf(setup, table);
    const value = (name) => (name === 'instance_id' ? 'c.id' : `t.${quote(name)}`);
    statements.push([table, `INSERT INTO ${table} (${columns.map(quote).join(', ')}) SELECT ${columns.map(value).join(', ')} FROM clone c, ${table} t WHERE t.instance_id = $1`]);
  }
  await setup.end();
  const written = Object.fromEntries(statements.map(([table]) => [table, 0]));
  const chunks = [];
  for (let from = 1; from <= count; from += CHUNK) chunks.push([from, Math.min(count, from + CHUNK - 1)]);
  let done = 0;
  let reported = 0;
  await Promise.all(
    Array.from({ length: Math.min(LOADERS, chunks.length) }, async () => {
      const loader = new Client({ connectionString: url });
      await loader.connect();
      try {
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
          const [from, to] = chunk;
          await loader.query('BEGIN');
          // the ids and numbers of this chunk's copies, then each table's rows for them in one statement
          await loader.query(`CREATE TEMP TABLE clone ON COMMIT DROP AS SELECT gen_random_uuid() AS id, g AS n FROM generate_series($1::int, $2::int) g`, [from, to]);
          for (const [table, sql] of statements) {
            const { rowCount } = await loader.query(sql, [template]);
            written[table] += rowCount;
          }
          await loader.query('COMMIT');
          done += to - from + 1;
          if (done - reported >= count / 10 || done === count) {
            reported = done;
            say(`  ${done.toLocaleString('en')} instances`);
          }
        }
      } finally {
        await loader.end();
      }
    }),
  );
  return written;
}

function apiOf(base) {
  let token;
  let email;
  let password;
  const call = jsonApi(() => base, () => token);
  return {
    call,
    async login(user, secret) {
      [email, password] = [user, secret];
      token = (await call('POST', '/api/auth/login', { email, password })).accessToken;
    },
    async relogin(newBase) {
      base = newBase;
      token = undefined;
      token = (await call('POST', '/api/auth/login', { email, password })).accessToken;
    },
  };
}


