import { DataSource } from 'typeorm';
import { AuthService } from '../../../src/auth/auth.service';
import { TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { WorkflowRuntimeService } from '../../../src/workflow/workflow-runtime.service';
import { diagram } from '../../helpers/bpmn';
import { eventually, startTestApp, type TestApp } from '../../helpers/test-app';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

const start = (xml: string) => `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="${xml}" />`;

/** Issue 4 acceptance on the real PostgreSQL: timers across restarts and of any length, incidents and retry, versions, user tasks. */
describe('workflow runtime: timers, incidents, versions and user tasks', () => {
  let database: TestDatabase;
  let app: TestApp;
  let auth: Record<string, string>;
  const recorded: Array<{ key: string | null; element: string; variables: Readonly<Record<string, unknown>> }> = [];
  let failuresLeft = 0;

  const registerTaskTypes = (target: TestApp) => {
    const registry = target.running.app.get(TaskTypeRegistry);
    registry.register({
      type: 'test.record', name: 'Record', description: 'records that it ran', inputs: [], outputs: [], permissions: [],
      handle: async (context) => void recorded.push({ key: context.businessKey, element: context.elementId, variables: context.variables }),
    });
    registry.register({
      type: 'test.flaky', name: 'Flaky', description: 'fails while failuresLeft > 0', inputs: [], outputs: [], permissions: [], retries: 2,
      handle: async () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('the carrier API is down');
        }
        return { flakyDone: true };
      },
    });
  };
  const boot = async () => {
    app = await startTestApp({ database, env: { WORKER_LEASE_SECONDS: '5' } });
    registerTaskTypes(app);
    auth = { Authorization: `Bearer ${await app.login()}` };
  };
  const deploy = async (key: string, body: string, messages = '') =>
    (await app.http.post(`/api/workflows/${key}/versions`).set(auth).set('Content-Type', 'application/xml').send(diagram(key, body, messages)).expect(201)).body;
  const startInstance = (key: string, businessKey: string, variables: Record<string, unknown> = {}) =>
    app.running.app.get(DataSource).transaction((manager) => app.running.app.get(WorkflowRuntimeService).startInstance(manager, key, businessKey, variables));
  const instance = async (id: string) => (await app.http.get(`/api/process-instances/${id}`).set(auth).expect(200)).body;
  const untilStatus = (id: string, status: string, timeoutMs = 20_000) =>
    eventually(async () => {
      const body = await instance(id);
      return body.status === status ? body : undefined;
    }, { timeoutMs, what: `instance ${id} to be ${status}` });

  beforeAll(async () => {
    database = await createTestDatabase();
    await boot();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('a timer that comes due while the service is down fires after the restart', async () => {
    await deploy('short-timer', `${start('Wait')}
      <bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="Wait" targetRef="After" />
      <bpmn:serviceTask id="After" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F2" sourceRef="After" targetRef="End" /><bpmn:endEvent id="End" />`);
    const id = await startInstance('short-timer', 'TIMER-RESTART');
    const waiting = await untilStatus(id, 'waiting');
    expect(waiting.waitingAt.map((w: { elementId: string }) => w.elementId)).toEqual(['Wait']);

    await app.close(); // the service is down when the timer comes due
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(recorded.some((r) => r.key === 'TIMER-RESTART')).toBe(false);
    await boot();
    const done = await untilStatus(id, 'completed');
    expect(done.activity.map((a: { elementId: string }) => a.elementId)).toEqual(['Start', 'Wait', 'After', 'End']);
    expect(recorded.filter((r) => r.key === 'TIMER-RESTART')).toHaveLength(1);
  });

  it('a 40-day timer is held by the job table (beyond setTimeout) and fires when its job comes due', async () => {
    await deploy('forty-days', `${start('Wait40')}
      <bpmn:intermediateCatchEvent id="Wait40"><bpmn:timerEventDefinition><bpmn:timeDuration>P40D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="Wait40" targetRef="After" />
      <bpmn:serviceTask id="After" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F2" sourceRef="After" targetRef="End" /><bpmn:endEvent id="End" />`);
    const id = await startInstance('forty-days', 'FORTY');
    await untilStatus(id, 'waiting');
    const db = app.running.app.get(DataSource);
    const [job] = await db.query(`SELECT id, run_at FROM workflow_job WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending'`, [id]);
    const days = (new Date(job.run_at).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(39.9);
    expect(days).toBeLessThanOrEqual(40);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await instance(id)).status).toBe('waiting');

    await db.query(`UPDATE workflow_job SET run_at = now() WHERE id = $1`, [job.id]); // forty days pass
    await untilStatus(id, 'completed');
    expect(recorded.filter((r) => r.key === 'FORTY')).toHaveLength(1);
  });

  it('a boundary timer on a user task interrupts it, cancels the task and takes the escalation path', async () => {
    await deploy('escalation', `${start('Review')}
      <bpmn:userTask id="Review" name="Review the case" oms:candidateRoles="operator" oms:dueIn="PT1H" />
      <bpmn:boundaryEvent id="Overdue" attachedToRef="Review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="Review" targetRef="EndNormal" /><bpmn:endEvent id="EndNormal" />
      <bpmn:sequenceFlow id="F2" sourceRef="Overdue" targetRef="Escalate" />
      <bpmn:serviceTask id="Escalate" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F3" sourceRef="Escalate" targetRef="EndEscalated" /><bpmn:endEvent id="EndEscalated" />`);
    const id = await startInstance('escalation', 'ESCALATE');
    await untilStatus(id, 'waiting');
    const tasks = (await app.http.get(`/api/tasks?instanceId=${id}`).set(auth).expect(200)).body.items;
    expect(tasks).toEqual([expect.objectContaining({ elementId: 'Review', name: 'Review the case', candidateRoles: ['operator'], status: 'open', overdue: false })]);
    expect(new Date(tasks[0].dueAt).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);

    await app.running.app.get(DataSource).query(`UPDATE workflow_job SET run_at = now() WHERE instance_id = $1 AND kind = 'timer'`, [id]);
    const done = await untilStatus(id, 'completed');
    expect(done.activity.map((a: { elementId: string }) => a.elementId)).toEqual(expect.arrayContaining(['Overdue', 'Escalate', 'EndEscalated']));
    expect(done.activity.map((a: { elementId: string }) => a.elementId)).not.toContain('EndNormal');
    expect((await app.http.get(`/api/tasks/${tasks[0].id}`).set(auth).expect(200)).body.status).toBe('cancelled');
  });

  it('a user task is claimed and completed by a person of its role; its variables steer the gateway', async () => {
    await deploy('approval', `${start('Approve')}
      <bpmn:userTask id="Approve" name="Approve the refund" oms:candidateRoles="finance">
        <bpmn:extensionElements><oms:formField name="approved" type="boolean" label="Approve" required="true" /><oms:formField name="note" type="string" /></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="F1" sourceRef="Approve" targetRef="Decision" />
      <bpmn:exclusiveGateway id="Decision" default="No" />
      <bpmn:sequenceFlow id="Yes" sourceRef="Decision" targetRef="Pay"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=approved = true and amount &lt;= 500</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="No" sourceRef="Decision" targetRef="EndRejected" />
      <bpmn:serviceTask id="Pay" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F2" sourceRef="Pay" targetRef="EndPaid" /><bpmn:endEvent id="EndPaid" /><bpmn:endEvent id="EndRejected" />`);
    const id = await startInstance('approval', 'APPROVAL', { amount: 120 });
    await untilStatus(id, 'waiting');
    const [task] = (await app.http.get(`/api/tasks?instanceId=${id}&role=finance`).set(auth).expect(200)).body.items;

    const authService = app.running.app.get(AuthService);
    await authService.createUser('finance@test.local', 'finance-password-1', ['finance']);
    await authService.createUser('warehouse@test.local', 'warehouse-password-1', ['warehouse']);
    const finance = { Authorization: `Bearer ${await app.login('finance@test.local', 'finance-password-1')}` };
    const warehouse = { Authorization: `Bearer ${await app.login('warehouse@test.local', 'warehouse-password-1')}` };

    expect((await app.http.post(`/api/tasks/${task.id}/claim`).set(warehouse).expect(403)).body.error.code).toBe('forbidden');
    expect((await app.http.post(`/api/tasks/${task.id}/claim`).set(finance).expect(200)).body).toMatchObject({ status: 'claimed', assignee: 'finance@test.local' });
    expect((await app.http.post(`/api/tasks/${task.id}/complete`).set(auth).send({ variables: { approved: true } }).expect(409)).body.error.code).toBe('invalid_state');
    expect((await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: 'yes' }).expect(422)).body.error.code).toBe('validation_failed');
    expect(task.formFields).toEqual([
      { name: 'approved', label: 'Approve', type: 'boolean', required: true },
      { name: 'note', type: 'string', required: false },
    ]);
    // issue 11: only the form's fields, of their types, the required ones present; nothing is completed otherwise
    const refused = await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: { approved: true, amount: 9999 } }).expect(422);
    expect(refused.body.error.details).toEqual([{ path: 'variables.amount', message: expect.stringContaining('not a field of this task') }]);
    const wrongType = await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: { approved: 'yes' } }).expect(422);
    expect(wrongType.body.error.details).toEqual([{ path: 'variables.approved', message: 'must be true or false' }]);
    const missing = await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: { note: 'ok' } }).expect(422);
    expect(missing.body.error.details).toEqual([{ path: 'variables.approved', message: 'is required' }]);
    expect((await app.http.get(`/api/tasks/${task.id}`).set(finance).expect(200)).body.status).toBe('claimed');
    await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: { approved: true } }).expect(200);
    await app.http.post(`/api/tasks/${task.id}/complete`).set(finance).send({ variables: { approved: false } }).expect(409);

    const done = await untilStatus(id, 'completed');
    expect(done.variables).toEqual({ approved: true, amount: 120 });
    // who completed it is the runtime's record of the authenticated user, not a process variable
    expect((await app.http.get(`/api/tasks/${task.id}`).set(finance).expect(200)).body).toMatchObject({ status: 'completed', completedBy: 'finance@test.local' });
    expect(done.activity.map((a: { elementId: string }) => a.elementId)).toEqual(['Start', 'Approve', 'Decision', 'Pay', 'EndPaid']);
  });

  it('a failing task type ends as an incident after its retries; retry after the fix completes the instance', async () => {
    await deploy('flaky', `${start('Call')}
      <bpmn:serviceTask id="Call" name="Call the carrier" oms:taskType="test.flaky" />
      <bpmn:sequenceFlow id="F1" sourceRef="Call" targetRef="End" /><bpmn:endEvent id="End" />`);
    failuresLeft = 100;
    const id = await startInstance('flaky', 'FLAKY');
    const failed = await untilStatus(id, 'incident');
    expect(failed.incidents).toEqual([expect.objectContaining({ elementId: 'Call', status: 'open', message: expect.stringContaining('the carrier API is down') })]);
    expect(failuresLeft).toBe(98); // the task type's own budget: 2 attempts
    const listed = (await app.http.get('/api/process-instances?hasIncident=true&definition=flaky').set(auth).expect(200)).body;
    expect(listed.items.map((i: { id: string }) => i.id)).toEqual([id]);

    failuresLeft = 0; // the carrier is back
    const incidentId = failed.incidents[0].id;
    expect((await app.http.post(`/api/incidents/${incidentId}/retry`).set(auth).expect(200)).body).toMatchObject({ status: 'resolved', instanceId: id });
    const done = await untilStatus(id, 'completed');
    expect(done.variables).toMatchObject({ flakyDone: true });
    expect((await app.http.post(`/api/incidents/${incidentId}/retry`).set(auth).expect(409)).body.error.code).toBe('invalid_state');
    await app.http.post('/api/incidents/00000000-0000-0000-0000-000000000000/retry').set(auth).expect(404);
  });

  it('v2 deployed while v1 instances wait: each instance finishes on its own version', async () => {
    const wait = `<bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>`;
    const message = '<bpmn:message id="Msg_Go" name="Go" />';
    await deploy('versions', `${start('Wait')}${wait}<bpmn:sequenceFlow id="F1" sourceRef="Wait" targetRef="V1Step" />
      <bpmn:serviceTask id="V1Step" oms:taskType="test.record" /><bpmn:sequenceFlow id="F2" sourceRef="V1Step" targetRef="End" /><bpmn:endEvent id="End" />`, message);
    const first = await startInstance('versions', 'V-1');
    await untilStatus(first, 'waiting');
    await deploy('versions', `${start('Wait')}${wait}<bpmn:sequenceFlow id="F1" sourceRef="Wait" targetRef="V2Step" />
      <bpmn:serviceTask id="V2Step" oms:taskType="test.record" /><bpmn:sequenceFlow id="F2" sourceRef="V2Step" targetRef="End" /><bpmn:endEvent id="End" />`, message);
    const second = await startInstance('versions', 'V-2');
    await untilStatus(second, 'waiting');

    const runtime = app.running.app.get(WorkflowRuntimeService);
    const db = app.running.app.get(DataSource);
    await db.transaction((manager) => runtime.correlateMessage(manager, 'Go', 'V-1'));
    await db.transaction((manager) => runtime.correlateMessage(manager, 'Go', 'V-2'));
    const [one, two] = await Promise.all([untilStatus(first, 'completed'), untilStatus(second, 'completed')]);
    expect(one).toMatchObject({ version: 1 });
    expect(two).toMatchObject({ version: 2 });
    expect(recorded.filter((r) => r.key === 'V-1').map((r) => r.element)).toEqual(['V1Step']);
    expect(recorded.filter((r) => r.key === 'V-2').map((r) => r.element)).toEqual(['V2Step']);
  });

  it('a waiting instance migrates to a newer version where its waiting element exists, and carries on there', async () => {
    const message = '<bpmn:message id="Msg_Go" name="Go" />';
    const waitThen = (next: string) => `${start('Wait')}<bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="Wait" targetRef="${next}" />`;
    await deploy('migrating', `${waitThen('End')}<bpmn:endEvent id="End" />`, message);
    const id = await startInstance('migrating', 'MIGRATE');
    await untilStatus(id, 'waiting');
    await deploy('migrating', `${waitThen('NewStep')}<bpmn:serviceTask id="NewStep" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F2" sourceRef="NewStep" targetRef="End" /><bpmn:endEvent id="End" />`, message);
    await deploy('migrating', `${start('OtherWait')}<bpmn:intermediateCatchEvent id="OtherWait"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="OtherWait" targetRef="End" /><bpmn:endEvent id="End" />`, message);

    const refused = (await app.http.post(`/api/process-instances/${id}/migrate`).set(auth).send({}).expect(422)).body.error;
    expect(refused.details).toEqual([{ path: 'Wait', message: expect.stringContaining('v3 has no such element') }]);
    expect((await app.http.post(`/api/process-instances/${id}/migrate`).set(auth).send({ version: 'two' }).expect(422)).body.error.code).toBe('validation_failed');
    const migrated = (await app.http.post(`/api/process-instances/${id}/migrate`).set(auth).send({ version: 2 }).expect(200)).body;
    expect(migrated).toMatchObject({ version: 2, status: 'waiting' });

    const db = app.running.app.get(DataSource);
    await db.transaction((manager) => app.running.app.get(WorkflowRuntimeService).correlateMessage(manager, 'Go', 'MIGRATE'));
    const done = await untilStatus(id, 'completed');
    expect(done.activity.map((a: { elementId: string }) => a.elementId)).toEqual(['Start', 'Wait', 'migration', 'NewStep', 'End']);
    expect(recorded.filter((r) => r.key === 'MIGRATE').map((r) => r.element)).toEqual(['NewStep']);
    expect((await app.http.post(`/api/process-instances/${id}/migrate`).set(auth).send({ version: 1 }).expect(409)).body.error.code).toBe('invalid_state');
  });

  it('a cycle timer (R2/PT1H) on a non-interrupting boundary event reminds twice while the task waits, then stops', async () => {
    await deploy('reminders', `${start('Pack')}
      <bpmn:userTask id="Pack" name="Pack the parcel" />
      <bpmn:boundaryEvent id="Remind" attachedToRef="Pack" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="F1" sourceRef="Pack" targetRef="End" /><bpmn:endEvent id="End" />
      <bpmn:sequenceFlow id="F2" sourceRef="Remind" targetRef="Nudge" />
      <bpmn:serviceTask id="Nudge" oms:taskType="test.record" />
      <bpmn:sequenceFlow id="F3" sourceRef="Nudge" targetRef="Reminded" /><bpmn:endEvent id="Reminded" />`);
    const id = await startInstance('reminders', 'REMIND');
    await untilStatus(id, 'waiting');
    const db = app.running.app.get(DataSource);
    const pendingTimers = () => db.query(`SELECT id FROM workflow_job WHERE instance_id = $1 AND kind = 'timer' AND status = 'pending'`, [id]);
    const fired: string[] = [];
    for (const expected of [1, 2]) {
      // the next reminder's job, once the previous step is saved
      const timer = await eventually(async () => (await pendingTimers()).find((job: { id: string }) => !fired.includes(job.id)), { what: `timer job ${expected}` });
      fired.push(timer.id);
      await db.query(`UPDATE workflow_job SET run_at = now() WHERE id = $1`, [timer.id]); // an hour passes
      await eventually(async () => (recorded.filter((r) => r.key === 'REMIND').length === expected ? true : undefined), { what: `reminder ${expected}` });
    }
    await eventually(async () => ((await instance(id)).activity.filter((a: { elementId: string }) => a.elementId === 'Reminded').length === 2 ? true : undefined));
    expect(await pendingTimers()).toEqual([]);
    expect((await instance(id)).waitingAt.map((w: { elementId: string }) => w.elementId)).toEqual(['Pack']);
  });
});
