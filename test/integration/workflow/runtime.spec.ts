import { TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { WorkflowRuntimeService } from '../../../src/workflow/workflow-runtime.service';
import { DataSource } from 'typeorm';
import { diagram } from '../../helpers/bpmn';
import { eventually, startTestApp, type TestApp } from '../../helpers/test-app';

describe('workflow runtime on PostgreSQL', () => {
  let app: TestApp;
  let auth: Record<string, string>;
  const calls: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
    app.running.app.get(TaskTypeRegistry).register({
      type: 'test.slow',
      name: 'Slow test step',
      description: 'waits a moment, so a message can arrive before the instance waits for it',
      inputs: [],
      outputs: [],
      handle: async (context) => {
        calls.push(context.businessKey ?? '');
        await new Promise((resolve) => setTimeout(resolve, 400));
      },
    });
  });
  afterAll(async () => app?.close());

  it('a message sent before the instance waits for it is buffered and delivered once', async () => {
    const xml = diagram(
      'buffered-message',
      `<bpmn:startEvent id="Start" />
       <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Slow" />
       <bpmn:serviceTask id="Slow" name="Slow" oms:taskType="test.slow" />
       <bpmn:sequenceFlow id="F2" sourceRef="Slow" targetRef="WaitGo" />
       <bpmn:intermediateCatchEvent id="WaitGo" name="Go"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>
       <bpmn:sequenceFlow id="F3" sourceRef="WaitGo" targetRef="End" />
       <bpmn:endEvent id="End" />`,
      '<bpmn:message id="Msg_Go" name="Go" />',
    );
    await app.http.post('/api/workflows/buffered-message/versions').set(auth).set('Content-Type', 'application/xml').send(xml).expect(201);
    const db = app.running.app.get(DataSource);
    const runtime = app.running.app.get(WorkflowRuntimeService);
    const instanceId = await db.transaction((manager) => runtime.startInstance(manager, 'buffered-message', 'BK-1', {}));
    await db.transaction((manager) => runtime.correlateMessage(manager, 'Go', 'BK-1', { note: 'early' }));

    const instance = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${instanceId}`).set(auth).expect(200)).body;
      return body.status === 'completed' ? body : undefined;
    });
    expect(instance.variables).toMatchObject({ note: 'early' });
    expect(instance.activity.map((a: { elementId: string }) => a.elementId)).toEqual(['Start', 'Slow', 'WaitGo', 'End']);
    const [{ delivered }] = await db.query(`SELECT count(*)::int AS delivered FROM workflow_message WHERE business_key = 'BK-1' AND status = 'delivered'`);
    expect(delivered).toBe(1);
    expect(calls.filter((key) => key === 'BK-1')).toHaveLength(1);
  });

  it('deploys a new version only when the XML changed, and an invalid diagram is 422 naming every broken element', async () => {
    const valid = diagram('versioned', `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="E" /><bpmn:endEvent id="E" />`);
    const first = await app.http.post('/api/workflows/versioned/versions').set(auth).set('Content-Type', 'application/xml').send(valid).expect(201);
    expect(first.body).toMatchObject({ key: 'versioned', version: 1, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const same = await app.http.post('/api/workflows/versioned/versions').set(auth).send({ xml: valid }).expect(200);
    expect(same.body).toMatchObject({ version: 1, checksum: first.body.checksum });
    const changed = valid.replace('id="E"', 'id="E" name="done"');
    expect((await app.http.post('/api/workflows/versioned/versions').set(auth).send({ xml: changed }).expect(201)).body.version).toBe(2);

    const broken = diagram(
      'broken',
      `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T1" />
       <bpmn:serviceTask id="T1" oms:taskType="no.such.type" /><bpmn:sequenceFlow id="F2" sourceRef="T1" targetRef="T2" />
       <bpmn:serviceTask id="T2" /><bpmn:sequenceFlow id="F3" sourceRef="T2" targetRef="X" />
       <bpmn:scriptTask id="X" scriptFormat="javascript"><bpmn:script>process.exit(1)</bpmn:script></bpmn:scriptTask>`,
    );
    const rejected = await app.http.post('/api/workflows/broken/versions').set(auth).set('Content-Type', 'application/xml').send(broken).expect(422);
    expect(rejected.body.error.code).toBe('validation_failed');
    expect(rejected.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['T1', 'T2', 'X']);
    await app.http.get('/api/workflows/broken/versions/1').set(auth).expect(404);

    const list = (await app.http.get('/api/workflows').set(auth).expect(200)).body;
    expect(list.find((w: { key: string }) => w.key === 'versioned')).toMatchObject({ latestVersion: 2, versions: [expect.objectContaining({ version: 2 }), expect.objectContaining({ version: 1 })] });
    expect(list.find((w: { key: string }) => w.key === 'order-fulfillment')).toMatchObject({ latestVersion: 1 });
    const taskTypes = (await app.http.get('/api/workflows/task-types').set(auth).expect(200)).body.map((t: { type: string }) => t.type);
    expect(taskTypes).toEqual(expect.arrayContaining(['order.review', 'stock.reserve', 'notify.send']));
  });
});
