import { connect } from 'node:net';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PinoNestLogger } from '../../src/common/logger';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { JobWorker } from '../../src/workflow/job-worker';
import { diagram } from '../helpers/bpmn';
import { orderBody, stockedCatalogue, unique, userWithRoles } from '../helpers/fixtures';
import { useTestApp } from '../helpers/test-app';

const METRICS_TOKEN = 'scraper-token-0123456789abcdefXYZ';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The value of one series of a Prometheus text exposition (`name{labels} value`), or undefined when it is absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Issue 12 item 8: /metrics (Prometheus text from prom-client) for holders of metrics.read or the METRICS_TOKEN scraper,
 * and an X-Request-Id on every request, in every log line written while handling it. The workflow worker is off in this
 * app so that the backlog is exact: the test works the jobs itself, through the worker's own runNextJob().
 */
describe('monitoring: /metrics and request ids', () => {
  const test = useTestApp({ env: { METRICS_TOKEN, WORKER_CONCURRENCY: '0' } });
  const http = () => test.app.http;
  const scrape = async () => (await http().get('/metrics').set(test.auth).expect(200)).text;
  const db = () => test.app.running.app.get(DataSource);

  describe('who may read /metrics', () => {
    it('answers 401 without a token and with a wrong one, 403 to an operator', async () => {
      expect((await http().get('/metrics').expect(401)).body.error.code).toBe('unauthorized');
      expect((await http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401)).body.error.code).toBe('unauthorized');
      const operator = await userWithRoles(test.app, 'operator');
      expect((await http().get('/metrics').set(operator.auth).expect(403)).body.error.code).toBe('forbidden');
    });

    it('answers an admin and the METRICS_TOKEN scraper with the Prometheus text format and every metric of the service', async () => {
      for (const auth of [test.auth, { Authorization: `Bearer ${METRICS_TOKEN}` }]) {
        const response = await http().get('/metrics').set(auth).expect(200);
        expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8/);
        for (const name of [
          'oms_orders_accepted_total', 'oms_intake_refused_total', 'oms_workflow_steps_total', 'oms_workflow_step_duration_seconds',
          'oms_workflow_backlog_jobs', 'oms_workflow_incidents_open', 'oms_notification_queue_messages', 'oms_database_up',
          'oms_db_pool_clients', 'oms_db_pool_max_clients', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds',
        ]) {
          expect(response.text).toContain(`# TYPE ${name} `);
        }
        expect(sample(response.text, 'oms_database_up')).toBe(1);
        expect(sample(response.text, 'oms_db_pool_max_clients')).toBe(test.app.database.kind === 'embedded' ? 1 : 20);
      }
    });

    it('the static token opens /metrics only, not the API', async () => {
      await http().get('/api/orders').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(401);
    });

    it('is not in the OpenAPI document (it is not the JSON API)', async () => {
      const document = (await http().get('/api/docs-json').expect(200)).body as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).not.toContain('/metrics');
      expect(Object.keys(document.paths)).toContain('/api/orders');
    });
  });

  describe('what it counts', () => {
    it('an order placed counts as accepted by its channel, waits in the backlog, and counts as a saved step once worked', async () => {
      const token = test.auth.Authorization.slice(7);
      const sku = unique('MET');
      await stockedCatalogue(test.app, token, { [sku]: 5 });
      const channel = unique('metrics-shop').slice(0, 40);
      const before = await scrape();
      expect(sample(before, `oms_orders_accepted_total{channel="${channel}"}`)).toBeUndefined();
      expect(sample(before, 'oms_workflow_backlog_jobs')).toBe(0);

      const body = orderBody([{ sku, quantity: 1 }], { channel });
      const created = await http().post('/api/orders').set(test.auth).send(body).expect(201);
      await http().post('/api/orders').set(test.auth).send(body).expect(200); // the same order again: not a new one
      const placed = await scrape();
      expect(sample(placed, `oms_orders_accepted_total{channel="${channel}"}`)).toBe(1);
      expect(sample(placed, 'oms_workflow_backlog_jobs')).toBe(1); // its instance's start, due now, no worker running

      const worker = test.app.running.app.get(JobWorker);
      let worked = 0;
      while (await worker.runNextJob()) worked++;
      const after = await scrape();
      expect(worked).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'oms_workflow_steps_total{outcome="saved"}')).toBe(sample(placed, 'oms_workflow_steps_total{outcome="saved"}')! + worked);
      expect(sample(after, 'oms_workflow_step_duration_seconds_count')).toBe(sample(placed, 'oms_workflow_step_duration_seconds_count')! + worked);
      expect(sample(after, 'oms_workflow_backlog_jobs')).toBe(0);
      expect((await http().get(`/api/orders/${created.body.id}`).set(test.auth).expect(200)).body.status).toBe('awaiting_shipment');
    });

    it('counts the intake refusals by error code, whoever refused (validation, the guard, the JSON parser)', async () => {
      const before = await scrape();
      await http().post('/api/orders').set(test.auth).send({ channel: 'x' }).expect(422);
      await http().post('/api/orders').send(orderBody([{ sku: 'X', quantity: 1 }])).expect(401);
      await http().post('/api/orders').set(test.auth).set('Content-Type', 'application/json').send('{"channel":').expect(400);
      await http().get('/api/orders/nothing-like-this').set(test.auth).expect(404); // not the intake
      const after = await scrape();
      const counted = (code: string) => (sample(after, `oms_intake_refused_total{code="${code}"}`) ?? 0) - (sample(before, `oms_intake_refused_total{code="${code}"}`) ?? 0);
      expect([counted('validation_failed'), counted('unauthorized'), counted('bad_request'), counted('not_found')]).toEqual([1, 1, 1, 0]);
    });

    it('reads the outbox and the open incidents from PostgreSQL at each scrape; a dead message counts until its alert is resolved', async () => {
      const notifications = test.app.running.app.get(NotificationsService);
      const status = (exposition: string, name: string) => sample(exposition, `oms_notification_queue_messages{status="${name}"}`)!;
      const before = await scrape();
      const reference = unique('MET-SMS').slice(0, 40);
      await db().transaction((manager) =>
        notifications.enqueue(manager, { idempotencyKey: unique('metrics-sms'), channel: 'sms', event: 'order.confirmed', locale: 'en', recipient: 'no phone', reference, data: {} }),
      );
      const queued = await scrape();
      expect(status(queued, 'pending')).toBe(status(before, 'pending') + 1);

      await notifications.drain(); // the outbox worker is off in this app: send what is due now (ours fails for good)
      const given = await scrape();
      expect([status(given, 'pending'), status(given, 'failed'), status(given, 'dead')]).toEqual([0, 0, status(before, 'dead') + 1]);

      const [alert] = await db().query(`SELECT id FROM system_alert WHERE reference = $1 AND status = 'open'`, [reference]);
      await notifications.resolveAlert(String(alert.id), 'metrics test');
      expect(status(await scrape(), 'dead')).toBe(status(before, 'dead'));

      const [{ open }] = await db().query(`SELECT count(*)::int AS open FROM incident WHERE status = 'open'`);
      expect(sample(given, 'oms_workflow_incidents_open')).toBe(open);
    });
  });

  describe('request ids', () => {
    it('gives every request an id in X-Request-Id, and keeps a sane one the caller sent', async () => {
      const first = (await http().get('/health').expect(200)).headers['x-request-id'];
      const second = (await http().get('/api/orders').expect(401)).headers['x-request-id'];
      expect(first).toMatch(UUID);
      expect(second).toMatch(UUID);
      expect(second).not.toBe(first);
      expect((await http().get('/health').set('X-Request-Id', 'lb-7f3a:0001.retry_2').expect(200)).headers['x-request-id']).toBe('lb-7f3a:0001.retry_2');
    });

    it('replaces a hostile id: 1 KB, quotes and spaces, bytes beyond ASCII, punctuation, a line break', async () => {
      for (const hostile of ['a'.repeat(1024), 'abc" "level":60', '\u0085fake', '-leading-dash', 'semi;colon']) {
        const echoed = (await http().get('/health').set('X-Request-Id', hostile).expect(200)).headers['x-request-id'];
        expect(echoed).toMatch(UUID);
      }
      // a raw request, as no HTTP client sends it: a line break inside the header value must not reach a header or a log line
      const raw = await new Promise<string>((resolve, reject) => {
        const { port } = test.app.running.app.getHttpServer().address() as { port: number };
        const socket = connect(port, '127.0.0.1', () => socket.end('GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\rX-Injected: 1\r\nConnection: close\r\n\r\n'));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
      // Node's HTTP parser refuses it before any of our code runs (requestIdFrom refuses line breaks too: its unit test)
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).not.toMatch(/X-Injected/i);
    });

    it('puts the request id in every log line written while handling it, a 5xx included', async () => {
      const lines: Array<Record<string, unknown>> = [];
      Logger.overrideLogger(new PinoNestLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) }));
      try {
        const key = `metrics-probe-${process.pid}`;
        const xml = diagram(key, '<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="E" /><bpmn:endEvent id="E" />');
        await http().post(`/api/workflows/${key}/versions`).set(test.auth).set('X-Request-Id', 'deploy-probe-1').set('Content-Type', 'application/xml').send(xml).expect(201);
        expect(lines).toContainEqual(expect.objectContaining({ requestId: 'deploy-probe-1', msg: expect.stringContaining(`deployed ${key} v1`) }));

        // a real failure on our side: the table behind the route is gone for a moment
        await db().query('ALTER TABLE warehouse RENAME TO warehouse_away');
        let failed;
        try {
          failed = await http().get('/api/warehouses').set(test.auth).expect(500);
        } finally {
          await db().query('ALTER TABLE warehouse_away RENAME TO warehouse');
        }
        const requestId = failed.headers['x-request-id'];
        expect(failed.body.error.code).toBe('internal_error');
        const logged = lines.filter((line) => line.level === 50 && String(line.msg).includes('GET /api/warehouses'));
        expect(logged).toEqual([expect.objectContaining({ requestId, msg: expect.stringContaining(`(request ${requestId})`) })]);
        // outside a request (start-up, workers) a line has no request id
        new Logger('Probe').log('outside any request');
        expect(lines.at(-1)).not.toHaveProperty('requestId');
      } finally {
        Logger.overrideLogger(test.app.running.logger);
      }
    });
  });
});
