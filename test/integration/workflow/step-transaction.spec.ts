import { DataSource } from 'typeorm';
import { TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { WorkflowRuntimeService } from '../../../src/workflow/workflow-runtime.service';
import { diagram } from '../../helpers/bpmn';
import { unique } from '../../helpers/fixtures';
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
    // lease 2 s: a step times out after 1.5 s
    app = await startTestApp({ env: { WORKER_LEASE_SECONDS: '2' } });
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
        await context.manager.query(`SELECT pg_sleep(2)`);
        await context.manager.query(`INSERT INTO step_effect (business_key, what) VALUES ($1, 'late')`, [context.businessKey]);
      },
    });
  });
  afterAll(async () => app?.close());

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
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the late handler has run to its end by now
    expect(await effects(businessKey)).toEqual([]); // neither the late write nor test.write's before it
    await db.query(`UPDATE workflow_job SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending'`, [instanceId]);
  });
});
