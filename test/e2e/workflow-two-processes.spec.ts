import { Client } from 'pg';
import { type AppProcess, loginClient, startAppProcess } from '../helpers/app-process';
import { diagram } from '../helpers/bpmn';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../helpers/test-app';
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/test-database';

const INSTANCES = 1000;
const threeTasks = diagram(
  'three-tasks',
  `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="T1" />
   <bpmn:serviceTask id="T1" oms:taskType="workflow.set-variables"><bpmn:extensionElements><oms:input name="a" value="1" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="F1" sourceRef="T1" targetRef="T2" />
   <bpmn:serviceTask id="T2" oms:taskType="workflow.set-variables"><bpmn:extensionElements><oms:input name="b" value="2" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="F2" sourceRef="T2" targetRef="T3" />
   <bpmn:serviceTask id="T3" oms:taskType="workflow.set-variables"><bpmn:extensionElements><oms:input name="c" value="3" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="F3" sourceRef="T3" targetRef="End" /><bpmn:endEvent id="End" />`,
);

// Issue 4 acceptance: two app processes on one PostgreSQL share 1,000 instances; every service task runs exactly once.
(TEST_DATABASE_URL ? describe : describe.skip)('two app processes working 1,000 instances', () => {
  it('run every service task of every instance exactly once (counted in the task execution log) and complete all', async () => {
    const database = await createTestDatabase();
    const env = { ...database.env, ADMIN_EMAIL, ADMIN_PASSWORD, WORKER_POLL_MS: '20', WORKER_CONCURRENCY: '4' };
    const apps: AppProcess[] = [];
    try {
      apps.push(await startAppProcess(env), await startAppProcess(env));
      const clients = await Promise.all(apps.map((app) => loginClient(app, ADMIN_EMAIL, ADMIN_PASSWORD)));
      expect((await clients[0]('POST', '/api/workflows/three-tasks/versions', { xml: threeTasks })).status).toBe(201);

      for (let batch = 0; batch < INSTANCES; batch += 50) {
        const started = await Promise.all(
          Array.from({ length: 50 }, (_, i) => clients[(batch + i) % 2]('POST', '/api/process-instances', { key: 'three-tasks', businessKey: `I-${batch + i}` })),
        );
        expect(started.every((response) => response.status === 201)).toBe(true);
      }
      await eventually(
        async () => {
          const { body } = await clients[1]('GET', '/api/process-instances?definition=three-tasks&status=completed&pageSize=1');
          return body.total === INSTANCES ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: `${INSTANCES} instances to complete` },
      );

      const db = new Client({ connectionString: database.env.DATABASE_URL });
      await db.connect();
      try {
        const { rows: [calls] } = await db.query(
          `SELECT count(*)::int AS calls, count(DISTINCT (instance_id, element_id))::int AS distinct_tasks, count(DISTINCT worker)::int AS workers,
                  count(*) FILTER (WHERE outcome <> 'completed')::int AS failed
             FROM task_execution`,
        );
        expect(calls).toEqual({ calls: 3 * INSTANCES, distinct_tasks: 3 * INSTANCES, workers: 2, failed: 0 });
        const { rows: [variables] } = await db.query(`SELECT count(*)::int AS n FROM process_instance WHERE variables = '{"a": 1, "b": 2, "c": 3}'::jsonb`);
        expect(variables.n).toBe(INSTANCES);
      } finally {
        await db.end();
      }
    } finally {
      await Promise.all(apps.map((app) => app.kill('SIGTERM')));
      await database.drop();
    }
  }, 300_000);
});
