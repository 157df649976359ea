import { DataSource } from 'typeorm';
import { JobWorker } from '../../src/workflow/job-worker';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, useTestApp } from '../helpers/test-app';

const MAX_BACKLOG = 3;

describe('intake back-pressure (issue 12 item 7)', () => {
  // no workers: every order taken leaves its first step due, so the backlog only grows until the test runs the steps
  const context = useTestApp({ env: { WORKER_CONCURRENCY: '0', INTAKE_MAX_BACKLOG: String(MAX_BACKLOG), RETRY_AFTER_SECONDS: '7' } });

  it('refuses new orders with 429 rate_limited and Retry-After while more steps are due than INTAKE_MAX_BACKLOG, writing nothing, and takes them again once the steps ran', async () => {
    const { app, auth } = context;
    const db = app.running.app.get(DataSource);
    const sku = unique('BP');
    await stockedCatalogue(app, auth.Authorization.slice(7), { [sku]: 1000 });
    const channel = unique('bp').slice(0, 40);
    const send = (externalId: string) => app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { channel, externalId }));

    // orders are taken until the backlog, measured at most once a second per process, is seen beyond the limit
    const taken: string[] = [];
    const refused = await eventually(
      async () => {
        const externalId = unique('BP-EXT');
        const response = await send(externalId);
        if (response.status === 201) taken.push(externalId);
        else if (response.status === 429) return { externalId, response };
        else throw new Error(`unexpected ${response.status}: ${JSON.stringify(response.body)}`);
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'a 429 once the backlog is beyond the limit' },
    );
    expect(taken.length).toBeGreaterThan(MAX_BACKLOG);
    expect(refused.response.headers['retry-after']).toBe('7');
    expect(refused.response.body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining(`More than ${MAX_BACKLOG} workflow steps`) } });

    // the refused request wrote nothing: no order, no line, no process instance, no job
    const { body: list } = await app.http.get(`/api/orders?channel=${channel}&pageSize=200`).set(auth).expect(200);
    expect(list.items.map((o: { externalId: string }) => o.externalId).sort()).toEqual([...taken].sort());
    const counts = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM customer_order WHERE channel = $1)::int AS orders,
                  (SELECT count(*) FROM order_line l JOIN customer_order o ON o.id = l.order_id WHERE o.channel = $1)::int AS lines,
                  (SELECT count(*) FROM process_instance p JOIN customer_order o ON o.number = p.business_key WHERE o.channel = $1)::int AS instances,
                  (SELECT count(*) FROM workflow_job j JOIN customer_order o ON o.process_instance_id = j.instance_id WHERE o.channel = $1)::int AS jobs`,
          [channel],
        )
      )[0];
    expect(await counts()).toEqual({ orders: taken.length, lines: taken.length, instances: taken.length, jobs: taken.length });

    // a repeat of the refused order is refused the same way while the backlog stays (and still writes nothing)
    const again = await send(refused.externalId);
    expect(again.status).toBe(429);
    expect(again.headers['retry-after']).toBe('7');
    expect(await counts()).toEqual({ orders: taken.length, lines: taken.length, instances: taken.length, jobs: taken.length });

    // workers run the backlog down: the same order is then taken, once
    const worker = app.running.app.get(JobWorker);
    worker.start(2);
    try {
      const accepted = await eventually(
        async () => {
          const response = await send(refused.externalId);
          return response.status === 201 ? response : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'the refused order to be taken once the backlog ran down' },
      );
      expect(accepted.body).toMatchObject({ channel, externalId: refused.externalId });
      expect((await send(refused.externalId)).status).toBe(200);
    } finally {
      await worker.stop();
    }
  });
});
