import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { PermanentPushError, sendSignedRequest } from '../../src/integrations/outbound/push-sender';
import { IntegrationPushesService } from '../../src/integrations/outbound/integration-pushes.service';
import { eventually, useTestApp } from '../helpers/test-app';
import { unique, userWithRoles } from '../helpers/fixtures';

/** A provider's endpoint: checks each request's HMAC, records what it accepted, and fails as many times as told first. */
class FakeEndpoint {
  readonly accepted: Array<{ key: string; payload: Record<string, unknown> }> = [];
  failNext = 0;
  failWith = 503;
  refused = 0;
  private server?: Server;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const expected = createHmac('sha256', this.secret).update(body).digest('hex');
        if (request.headers['x-signature'] !== expected) {
          this.refused++;
          response.writeHead(401).end('bad signature');
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          // a careless provider's error page that echoes the request back, signature included
          response.writeHead(this.failWith).end(`try later (got ${String(request.headers['x-echo'] ?? '')})`);
          return;
        }
        this.accepted.push(JSON.parse(body.toString('utf8')));
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/instructions`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Issue 15 item 1, the outbound side: a push written with its change, delivered by the worker with retries and backoff, a dead
 * letter raising an alert and the connector's last error, sent again on request; once per key, or coalesced per key.
 */
describe('integration pushes: the connectors\' outbox (issue 15 item 1)', () => {
  const test = useTestApp({ env: { INTEGRATIONS_KEY: randomBytes(32).toString('base64'), INTEGRATION_PUSH_RETRY_MS: '100', INTEGRATION_PUSH_MAX_ATTEMPTS: '4', INTEGRATION_PUSH_POLL_MS: '100' } });
  const http = () => test.app.http;
  const db = () => test.app.running.app.get(DataSource);
  const pushes = () => test.app.running.app.get(IntegrationPushesService);
  const secret = `wms_${randomBytes(16).toString('hex')}`;
  const fake = new FakeEndpoint(secret);
  let endpoint: string;
  let topic: string;

  beforeAll(async () => {
    endpoint = await fake.start();
    topic = unique('probe');
    // the sender a connector module registers: the payload signed with the connector's secret, as a WMS instruction is
    pushes().register('wms', topic, async (connector, push) => {
      const body = JSON.stringify({ key: push.key, payload: push.payload });
      if (push.payload.refuse) throw new PermanentPushError('the provider refused the instruction');
      const headers = { 'Content-Type': 'application/json', 'X-Signature': createHmac('sha256', connector.secrets.signingSecret).update(body).digest('hex'), 'X-Echo': connector.secrets.signingSecret };
      await sendSignedRequest({ method: 'POST', url: String(connector.settings.endpoint), headers, body });
    });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.accepted.length = 0;
    fake.failNext = 0;
    fake.failWith = 503;
  });

  async function connector(signingSecret = secret): Promise<string> {
    const name = unique('wms').replace(/[^A-Za-z0-9_-]/g, '').slice(-40);
    return (await http().post('/api/integrations').set(test.auth).send({ kind: 'wms', name, settings: { endpoint }, secrets: { signingSecret } }).expect(201)).body.id;
  }
  const enqueue = (integrationId: string, key: string, payload: Record<string, unknown> = {}, coalesce = false) =>
    db().transaction((manager) => pushes().enqueue(manager, integrationId, { topic, key, payload, coalesce, reference: key }));
  const pushRows = (integrationId: string) =>
    db().query(`SELECT id::text, push_key, status, attempts, payload, last_error FROM integration_push WHERE integration_id = $1 ORDER BY id`, [integrationId]);
  const sentTo = (key: string) => fake.accepted.filter((item) => item.key === key);

  it('delivers a push once, signed; queueing the same key again adds nothing; the connector shows its last sync', async () => {
    const id = await connector();
    expect(await enqueue(id, 'ship-1', { waybill: 'SF1' })).toBe(true);
    await eventually(async () => sentTo('ship-1').length === 1 || undefined, { what: 'the push at the fake' });
    await eventually(async () => ((await pushRows(id))[0].status === 'sent' ? true : undefined));
    expect(await enqueue(id, 'ship-1', { waybill: 'SF1' })).toBe(false);
    await pushes().drain();
    expect(sentTo('ship-1')).toEqual([{ key: 'ship-1', payload: { waybill: 'SF1' } }]);
    expect(await pushRows(id)).toMatchObject([{ push_key: 'ship-1', status: 'sent', attempts: 1 }]);
    const view = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
    expect(view).toMatchObject({ status: 'active', lastSyncAt: expect.any(String) });
  });

  it('a rolled-back change queues nothing', async () => {
    const id = await connector();
    await expect(db().transaction(async (manager) => {
      await pushes().enqueue(manager, id, { topic, key: 'rolled-back' });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    expect(await pushRows(id)).toEqual([]);
  });

  it('is retried after the provider fails twice, then delivered once', async () => {
    const id = await connector();
    fake.failNext = 2;
    await enqueue(id, 'ship-2');
    await eventually(async () => sentTo('ship-2').length === 1 || undefined, { what: 'the third attempt' });
    expect(fake.failNext).toBe(0);
    // the fake has it; the sender records it a moment later
    await eventually(async () => ((await pushRows(id))[0].status === 'sent' ? true : undefined));
    expect(await pushRows(id)).toMatchObject([{ status: 'sent', attempts: 3, last_error: null }]);
  });

  it('a push that keeps failing becomes a dead letter: system alert, connector failing; sent again on request once fixed', async () => {
    const id = await connector();
    fake.failNext = 1000;
    await enqueue(id, 'ship-3');
    const [dead] = await eventually(async () => {
      const rows = await pushRows(id);
      return rows[0]?.status === 'dead' ? rows : undefined;
    }, { what: 'the dead letter' });
    expect(dead).toMatchObject({ attempts: 4, last_error: expect.stringContaining('503') });
    // the secret the provider echoed is blanked out of everything kept and shown
    expect(dead.last_error).toContain('[secret]');
    expect(JSON.stringify(await db().query(`SELECT * FROM integration_push WHERE integration_id = $1`, [id]))).not.toContain(secret);
    expect(JSON.stringify(await db().query(`SELECT * FROM system_alert WHERE kind = 'integration_push_dead'`))).not.toContain(secret);
    expect(JSON.stringify((await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body)).not.toContain(secret);
    const alerts = await db().query(`SELECT message FROM system_alert WHERE kind = 'integration_push_dead' AND reference = 'ship-3'`);
    expect(alerts).toHaveLength(1);
    const failing = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
    expect(failing).toMatchObject({ status: 'failing', lastError: expect.stringContaining('503') });

    const listed = (await http().get(`/api/integrations/${id}/pushes`).query({ status: 'dead' }).set(test.auth).expect(200)).body;
    expect(listed).toMatchObject({ total: 1, items: [{ id: dead.id, key: 'ship-3', status: 'dead', attempts: 4, lastError: expect.stringContaining('503') }] });

    fake.failNext = 0;
    const retried = (await http().post(`/api/integrations/${id}/pushes/${dead.id}/retry`).set(test.auth).expect(200)).body;
    expect(retried).toMatchObject({ id: dead.id, status: expect.stringMatching(/^(pending|sending|sent)$/) });
    await eventually(async () => sentTo('ship-3').length === 1 || undefined, { what: 'the push sent again' });
    await eventually(async () => ((await pushRows(id))[0].status === 'sent' ? true : undefined));
    const healthy = (await http().get(`/api/integrations/${id}`).set(test.auth).expect(200)).body;
    expect(healthy.status).toBe('active');
    // sent: no second retry
    await http().post(`/api/integrations/${id}/pushes/${dead.id}/retry`).set(test.auth).expect(409);
  });

  it('a refusal that retrying cannot mend is dead at once; a wrong signing secret is refused by the provider and retried until dead', async () => {
    const id = await connector();
    await enqueue(id, 'refused', { refuse: true });
    await eventually(async () => ((await pushRows(id))[0]?.status === 'dead' ? true : undefined));
    expect((await pushRows(id))[0]).toMatchObject({ attempts: 1, last_error: 'the provider refused the instruction' });

    const wrong = await connector(`other_${randomBytes(8).toString('hex')}`);
    const refusedBefore = fake.refused;
    await enqueue(wrong, 'unsigned');
    await eventually(async () => ((await pushRows(wrong))[0]?.status === 'dead' ? true : undefined));
    // a 401 is the provider refusing what we sent: permanent, one attempt
    expect((await pushRows(wrong))[0]).toMatchObject({ attempts: 1, last_error: expect.stringContaining('401') });
    expect(fake.refused).toBe(refusedBefore + 1);
    expect(sentTo('unsigned')).toEqual([]);
  });

  it('coalesced pushes: changes before the send make one push with the newest payload; a change after it makes another', async () => {
    const id = await connector();
    await db().query(`UPDATE integration SET status = 'paused' WHERE id = $1`, [id]); // hold the sender back
    await enqueue(id, 'stock:SKU-1', { available: 5 }, true);
    await enqueue(id, 'stock:SKU-1', { available: 4 }, true);
    await enqueue(id, 'stock:SKU-1', { available: 3 }, true);
    expect(await pushRows(id)).toMatchObject([{ push_key: 'stock:SKU-1', status: 'pending', payload: { available: 3 } }]);
    await pushes().drain();
    expect(sentTo('stock:SKU-1')).toEqual([]); // a paused connector's pushes wait
    await db().query(`UPDATE integration SET status = 'active' WHERE id = $1`, [id]);
    await eventually(async () => sentTo('stock:SKU-1').length === 1 || undefined);
    await enqueue(id, 'stock:SKU-1', { available: 2 }, true);
    await eventually(async () => sentTo('stock:SKU-1').length === 2 || undefined);
    expect(sentTo('stock:SKU-1').map((item) => item.payload.available)).toEqual([3, 2]);
  });

  it('the pushes API: status filter checked (422), unknown connector or push 404, integrations.manage only (403)', async () => {
    const id = await connector();
    await http().get(`/api/integrations/${id}/pushes`).query({ status: 'lost' }).set(test.auth).expect(422);
    await http().get(`/api/integrations/00000000-0000-4000-8000-000000000000/pushes`).set(test.auth).expect(404);
    await http().post(`/api/integrations/${id}/pushes/999999999/retry`).set(test.auth).expect(404);
    await http().post(`/api/integrations/${id}/pushes/x'1/retry`).set(test.auth).expect(404);
    const clerk = await userWithRoles(test.app, 'warehouse');
    await http().get(`/api/integrations/${id}/pushes`).set(clerk.auth).expect(403);
    await http().post(`/api/integrations/${id}/pushes/1/retry`).set(clerk.auth).expect(403);
  });
});
