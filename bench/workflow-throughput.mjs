#!/usr/bin/env node
// Workflow runtime throughput (issues 4 and 12): instances/s of start → 3 service tasks → end and of start → wait,
// beside raw bpmn-engine running the same diagrams in memory in the same run (bench/lib/raw-engine.mjs: the product's
// engine options, trivial handlers, as many instances at a time as the worker runs), and beside pgbench tpcb-like TPS
// on the same PostgreSQL; and heap with 10,000 instances waiting (no engine stays resident).
// Usage: npm run build && node --expose-gc bench/workflow-throughput.mjs
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_INSTANCES (default 2000),
//      BENCH_WAITING (default 10000), BENCH_CLIENTS (pgbench clients = worker concurrency = raw engine concurrency, default 4),
//      BENCH_RAW_S (seconds per raw engine measurement, default 5).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rawEngineRate } from './lib/raw-engine.mjs';

const require = createRequire(import.meta.url);
const { createApp } = require('../dist/src/app.js');
const { loadConfig } = require('../dist/src/config/config.js');
const { createScratchDatabase } = require('../dist/src/database/database-url.js');
const { WorkflowRuntimeService } = require('../dist/src/workflow/workflow-runtime.service.js');
const { DefinitionsService } = require('../dist/src/workflow/definitions.service.js');
const { SYSTEM_ACTOR } = require('../dist/src/common/actor.js');
const { DataSource } = require('typeorm');

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const WAITING = Number(process.env.BENCH_WAITING ?? 10000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RAW_S = Number(process.env.BENCH_RAW_S ?? 5);

const diagram = (id, body, messages = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:oms="http://oms.dev/schema/bpmn" id="D_${id}" targetNamespace="http://oms.dev/bench">
${messages}<bpmn:process id="${id}" isExecutable="true">${body}</bpmn:process></bpmn:definitions>`;
const task = (id, next, name) => `<bpmn:serviceTask id="${id}" oms:taskType="workflow.set-variables"><bpmn:extensionElements><oms:input name="${name}" value="1" /></bpmn:extensionElements></bpmn:serviceTask><bpmn:sequenceFlow id="F_${id}" sourceRef="${id}" targetRef="${next}" />`;
const THREE = diagram('bench-three', `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="T1" />${task('T1', 'T2', 'a')}${task('T2', 'T3', 'b')}${task('T3', 'E', 'c')}<bpmn:endEvent id="E" />`);
const WAIT = diagram('bench-wait', `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F0" sourceRef="S" targetRef="W" /><bpmn:intermediateCatchEvent id="W"><bpmn:messageEventDefinition messageRef="M" /></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="F1" sourceRef="W" targetRef="E" /><bpmn:endEvent id="E" />`, '<bpmn:message id="M" name="Go" />');

function pgbenchTps(url) {
  execFileSync('pgbench', ['-i', '-q', '-s', '1', url], { stdio: 'ignore' });
  const out = execFileSync('pgbench', ['-c', String(CLIENTS), '-j', String(CLIENTS), '-T', '10', '-b', 'tpcb-like', url]).toString();
  return Number(/tps = ([\d.]+)/.exec(out)[1]);
}

async function timeUntil(db, status, key, count) {
  for (;;) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM process_instance i JOIN workflow_definition d ON d.id = i.definition_id WHERE d.key = $1 AND i.status = $2`, [key, status]);
    if (n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startMany(app, key, count) {
  const db = app.get(DataSource);
  const runtime = app.get(WorkflowRuntimeService);
  for (let i = 0; i < count; i += 100) {
    await db.transaction(async (manager) => {
      for (let j = i; j < Math.min(count, i + 100); j++) await runtime.startInstance(manager, key, `${key}-${j}`, {});
    });
  }
}

const heapMb = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};

const scratch = await createScratchDatabase(BASE, 'oms_bench');
const pgbenchDb = await createScratchDatabase(BASE, 'oms_pgbench');
try {
  // raw bpmn-engine first, in its own process, while nothing else of this run is busy
  const rawThree = await rawEngineRate({ xml: THREE, until: null, outputs: { 'workflow.set-variables': {} }, concurrency: CLIENTS, seconds: RAW_S });
  const rawWait = await rawEngineRate({ xml: WAIT, until: 'W', outputs: {}, concurrency: CLIENTS, seconds: RAW_S });
  const tps = pgbenchTps(pgbenchDb.url);
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', DATABASE_URL: scratch.url, DEMO_DATA: 'off', LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-password', WORKER_CONCURRENCY: String(CLIENTS), WORKER_POLL_MS: '20' });
  const running = await createApp(config, { admin: false });
  const app = running.app;
  const definitions = app.get(DefinitionsService);
  await definitions.deploy('bench-three', THREE, { actor: SYSTEM_ACTOR, ip: null });
  await definitions.deploy('bench-wait', WAIT, { actor: SYSTEM_ACTOR, ip: null });
  const db = app.get(DataSource);

  // CPU of this process (the app: its worker and the inserts that start the instances) per instance, beside the raw
  // engine's: a ratio that other load on the machine moves far less than the wall-clock one
  const cpuMs = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  let started = Date.now();
  let cpu0 = cpuMs();
  await startMany(app, 'bench-three', INSTANCES);
  await timeUntil(db, 'completed', 'bench-three', INSTANCES);
  const threePerSecond = INSTANCES / ((Date.now() - started) / 1000);
  const threeCpuMs = (cpuMs() - cpu0) / INSTANCES;

  const heapBefore = heapMb();
  started = Date.now();
  cpu0 = cpuMs();
  await startMany(app, 'bench-wait', WAITING);
  await timeUntil(db, 'waiting', 'bench-wait', WAITING);
  const waitPerSecond = WAITING / ((Date.now() - started) / 1000);
  const waitCpuMs = (cpuMs() - cpu0) / WAITING;
  const heapAfter = heapMb();

  const line = (label, value, ratio = '') => console.log(`${label.padEnd(62)} ${value.padEnd(44)} ${ratio}`);
  line(`pgbench tpcb-like, ${CLIENTS} clients`, `${tps.toFixed(0)} TPS (baseline)`);
  line(`raw bpmn-engine, start → 3 service tasks → end, ${CLIENTS} at a time`, `${rawThree.perS.toFixed(0)} instances/s (${rawThree.cpuMsPerInstance.toFixed(1)} ms CPU each)`);
  line(`durable, start → 3 service tasks → end (${INSTANCES})`, `${threePerSecond.toFixed(0)} instances/s (${threeCpuMs.toFixed(1)} ms app CPU each)`, `ratio ${(threePerSecond / rawThree.perS).toFixed(2)} of raw (goal ≥ 0.8; by CPU ${(rawThree.cpuMsPerInstance / threeCpuMs).toFixed(2)}), ${(threePerSecond / tps).toFixed(3)} of pgbench TPS`);
  line(`raw bpmn-engine, start → wait, ${CLIENTS} at a time`, `${rawWait.perS.toFixed(0)} instances/s (${rawWait.cpuMsPerInstance.toFixed(1)} ms CPU each)`);
  line(`durable, start → wait (${WAITING})`, `${waitPerSecond.toFixed(0)} instances/s (${waitCpuMs.toFixed(1)} ms app CPU each)`, `ratio ${(waitPerSecond / rawWait.perS).toFixed(2)} of raw (goal ≥ 0.8; by CPU ${(rawWait.cpuMsPerInstance / waitCpuMs).toFixed(2)}), ${(waitPerSecond / tps).toFixed(3)} of pgbench TPS`);
  line(`heap before/after ${WAITING} waiting instances`, `${heapBefore.toFixed(1)} MB → ${heapAfter.toFixed(1)} MB`, `${(((heapAfter - heapBefore) * 1024) / WAITING).toFixed(2)} KB per instance`);
  await running.close();
} finally {
  await scratch.drop();
  await pgbenchDb.drop();
}
