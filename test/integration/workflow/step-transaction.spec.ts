import { DataSource } from 'typeorm';
import { TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { WorkflowRuntimeService } from '../../../src/workflow/workflow-runtime.service';
import { diagram } from '../../helpers/bpmn';
import { unique } from '../../helpers/fixtures';
import { TEST_DATABASE_URL } from '../../helpers/test-database';
import { eventually, startTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A workflow step is one unit of work (issue 12 item 3, DESIGN "A step is one unit of work"): what its handlers write
 * through the step's transaction commits with the saved state, or not at all.
 */
describe('one transaction per workflow step', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  let db: DataSource;
  const failuresLeft = new Map<string, number>();

  beforeAll(async () => {
    // a step times out after 4.5 s
    app = await startTestApp({ env: { WORKER_LEASE_SECONDS: '5' } });
    auth = { Authorization: `Bearer ${await app.login()}` };
    db = app.running.app.get(DataSource);
    await db.query(`CREATE TABLE IF NOT EXISTS step_effect (id serial PRIMARY KEY, business_key text NOT NULL, what text NOT NULL)`);
    const registry = app.running.app.get(TaskTypeRegistry);
    const base = { name: 'test', description: 'test', inputs: [], outputs: [], permissions: [] };
    registry.register({
      ...base,
      type: 'test.write',
      handle: async (context) => {
        await context.manager.query(`INSERT INTO step_effect (business_key, what) VALUES ($1, 'written')`, [context.businessKey]);
      },
    });
    registry.register({
      ...base,
      type: 'test.fail-once',
      handle: async (context) => {
        const left = failuresLeft.get(context.businessKey!) ?? 0;
        if (left > 0) {
          failuresLeft.set(context.businessKey!, left - 1);
          throw new Error('fails this time');
        }
      },
    });
    registry.register({
      ...base,
      type: 'test.late-write',
      retries: 1,
      // still running when the step times out: its write comes after the rollback, on the step's connection
      handle: async (context) => {
        await context.manager.query(`SELECT pg_sleep(5)`);
        await context.manager.query(`INSERT INTO step_effect (business_key, what) VALUES ($1, 'late')`, [context.businessKey]);
      },
    });
    registry.register({
      ...base,
      type: 'test.lock-row',
      // takes a business row's lock, as the order handlers do, then writes
      handle: async (context) => {
        await context.manager.query(`SELECT 1 FROM step_lockable WHERE key = $1 FOR UPDATE`, [context.businessKey]);
        await context.manager.query(`INSERT INTO step_effect (business_key, what) VALUES ($1, 'locked')`, [context.businessKey]);
      },
    });
    registry.register({
      ...base,
      type: 'test.hold',
      // runs until the test lets it go
      handle: async (context) => {
        await new Promise<void>((resolve) => holds.set(context.businessKey!, resolve));
      },
    });
    await db.query(`CREATE TABLE IF NOT EXISTS step_lockable (key text PRIMARY KEY)`);
  });
  afterAll(async () => app?.close());
  const holds = new Map<string, () => void>();

  const deploy = async (key: string, ...taskTypes: string[]) => {
    const tasks = taskTypes.map((type, index) => `<bpmn:serviceTask id="T${index}" oms:taskType="${type}" />`).join('');
    const flows = ['Start', ...taskTypes.map((_, index) => `T${index}`), 'End']
      .slice(1)
      .map((target, index, targets) => `<bpmn:sequenceFlow id="F${index}" sourceRef="${index === 0 ? 'Start' : targets[index - 1]}" targetRef="${target}" />`)
      .join('');
    const xml = diagram(key, `<bpmn:startEvent id="Start" />${tasks}<bpmn:endEvent id="End" />${flows}`);
    await app.http.post(`/api/workflows/${key}/versions`).set(auth).set('Content-Type', 'application/xml').send(xml).expect(201);
  };
  const start = (key: string, businessKey: string) =>
    db.transaction((manager) => app.running.app.get(WorkflowRuntimeService).startInstance(manager, key, businessKey, {}));
  const effects = async (businessKey: string) =>
    (await db.query(`SELECT what FROM step_effect WHERE business_key = $1 ORDER BY id`, [businessKey])).map((row: { what: string }) => row.what);
  const statusOf = async (instanceId: string) => (await app.http.get(`/api/process-instances/${instanceId}`).set(auth).expect(200)).body.status;

  it('a step that fails after a handler wrote is rolled back: after the retry the write is there once', async () => {
    const key = unique('write-then-fail');
    await deploy(key, 'test.write', 'test.fail-once');
    const businessKey = unique('BK');
    failuresLeft.set(businessKey, 1);
    const instanceId = await start(key, businessKey);
    await eventually(async () => ((await statusOf(instanceId)) === 'completed' ? true : undefined), { timeoutMs: 30_000 });
    expect(failuresLeft.get(businessKey)).toBe(0); // it did fail once, so test.write ran twice
    expect(await effects(businessKey)).toEqual(['written']);
  });

  it('a handler still writing when its step timed out writes nothing: the transaction is closed to it', async () => {
    const key = unique('late-write');
    await deploy(key, 'test.write', 'test.late-write');
    const businessKey = unique('BK');
    const instanceId = await start(key, businessKey);
    const [failed] = await eventually(async () => {
      const rows = await db.query(`SELECT last_error FROM workflow_job WHERE instance_id = $1 AND last_error IS NOT NULL`, [instanceId]);
      return rows.length ? rows : undefined;
    }, { timeoutMs: 30_000 });
    expect(failed.last_error).toMatch(/did not reach a wait/);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the late handler has run to its end by now
    expect(await effects(businessKey)).toEqual([]); // neither the late write nor test.write's before it
    await db.query(`UPDATE workflow_job SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending'`, [instanceId]);
  });

  // these two look at a running step from a second connection: the embedded database has only one
  (TEST_DATABASE_URL ? it : it.skip)('the claim is part of the step: while the step runs its job is pending, uncounted and locked; a second job of the instance waits for it', async () => {
    const key = unique('hold');
    await deploy(key, 'test.hold', 'test.write');
    const businessKey = unique('BK');
    const instanceId = await start(key, businessKey);
    await eventually(async () => holds.get(businessKey), { timeoutMs: 30_000, what: 'the step running its held task' });
    // seen from outside, nothing is claimed yet: the claim commits with the step
    const [job] = await db.query(`SELECT id, status, attempts FROM workflow_job WHERE instance_id = $1`, [instanceId]);
    expect(job).toMatchObject({ status: 'pending', attempts: 0 });
    await expect(db.transaction((manager) => manager.query(`SELECT 1 FROM workflow_job WHERE id = $1 FOR UPDATE NOWAIT`, [job.id]))).rejects.toThrow(/could not obtain lock/);
    // a job of the same instance that falls due meanwhile is not run beside the step (one step per instance at a time)
    await db.query(`INSERT INTO workflow_job (instance_id, kind, payload) VALUES ($1, 'resume', '{}')`, [instanceId]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await db.query(`SELECT count(*)::int AS n FROM workflow_job WHERE instance_id = $1 AND status <> 'pending'`, [instanceId]))[0].n).toBe(0);
    holds.get(businessKey)!();
    await eventually(async () => ((await statusOf(instanceId)) === 'completed' ? true : undefined), { timeoutMs: 30_000 });
    const [done] = await db.query(`SELECT status, attempts FROM workflow_job WHERE id = $1`, [job.id]);
    expect(done).toEqual({ status: 'done', attempts: 1 });
    expect(await effects(businessKey)).toEqual(['written']);
  });

  (TEST_DATABASE_URL ? it : it.skip)('a cancel that holds the business row the step waits for ends the instance at once, without a deadlock; the step rolls back', async () => {
    const key = unique('lock-row');
    await deploy(key, 'test.write', 'test.lock-row');
    const businessKey = unique('BK');
    await db.query(`INSERT INTO step_lockable (key) VALUES ($1)`, [businessKey]);
    const cancel = db.createQueryRunner();
    await cancel.connect();
    try {
      // the request locks its business row first (as an order cancel does), then the step wants it
      await cancel.startTransaction();
      await cancel.query(`SELECT 1 FROM step_lockable WHERE key = $1 FOR UPDATE`, [businessKey]);
      const instanceId = await start(key, businessKey);
      await eventually(async () => {
        const [waiting] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM step_lockable%'`);
        return waiting.n > 0 ? true : undefined;
      }, { timeoutMs: 30_000, what: 'the step waiting for the locked row' });
      // then ends the instance: neither waits for the step nor deadlocks with it
      const startedAt = Date.now();
      await app.running.app.get(WorkflowRuntimeService).terminateInstance(cancel.manager, instanceId);
      await cancel.commitTransaction();
      expect(Date.now() - startedAt).toBeLessThan(1000); // PostgreSQL's deadlock_timeout: a deadlock would take longer and fail
      await eventually(async () => {
        const [job] = await db.query(`SELECT status FROM workflow_job WHERE instance_id = $1`, [instanceId]);
        return job.status === 'cancelled' ? true : undefined;
      }, { timeoutMs: 30_000, what: "the rolled-back step's job cancelled" });
      expect(await statusOf(instanceId)).toBe('terminated');
      expect(await effects(businessKey)).toEqual([]); // neither task's write survived the rollback
      expect((await db.query(`SELECT count(*)::int AS n FROM incident WHERE instance_id = $1`, [instanceId]))[0].n).toBe(0);
    } finally {
      if (cancel.isTransactionActive) await cancel.rollbackTransaction();
      await cancel.release();
    }
  });
});
