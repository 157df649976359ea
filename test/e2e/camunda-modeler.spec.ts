import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

const CAMUNDA_8_ORDER = readFileSync(join(__dirname, '../fixtures/camunda-modeler-order.bpmn'), 'utf8');

// Issue 4 acceptance: a diagram drawn in Camunda Modeler (zeebe namespace) deploys and runs as it is.
describe('a Camunda Modeler diagram as the order workflow', () => {
  let app: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(async () => app?.close());

  it('deploys as a new version of order-fulfillment and runs new orders with the real task types', async () => {
    const deployed = await app.http.post('/api/workflows/order-fulfillment/versions').set(auth).set('Content-Type', 'application/xml').send(CAMUNDA_8_ORDER).expect(201);
    expect(deployed.body).toMatchObject({ key: 'order-fulfillment', version: 2 });

    const sku = unique('ZEEBE');
    await stockedCatalogue(app, await app.login(), { [sku]: 5 });
    const created = await app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2 }])).expect(201);
    const instance = await eventually(async () => {
      const body = (await app.http.get(`/api/process-instances/${created.body.processInstanceId}`).set(auth).expect(200)).body;
      return body.status === 'completed' ? body : undefined;
    });
    expect(instance).toMatchObject({ definitionKey: 'order-fulfillment', version: 2, variables: expect.objectContaining({ reviewOutcome: 'approved', stockReserved: true, notified: true }) });
    expect(instance.activity.map((a: { name: string | null }) => a.name)).toEqual(expect.arrayContaining(['Review order', 'Reserve stock', 'Send order confirmation', 'Order confirmed']));
    const order = (await app.http.get(`/api/orders/${created.body.id}`).set(auth).expect(200)).body;
    expect(order).toMatchObject({ status: 'awaiting_shipment', lines: [expect.objectContaining({ reserved: 2 })] });
  });

  it('a restart keeps the analyst\'s version as the latest: the shipped file is only redeployed when it changes', async () => {
    const database = app.database;
    await app.running.close();
    app = await startTestApp({ database });
    const workflows = (await app.http.get('/api/workflows').set({ Authorization: `Bearer ${await app.login()}` }).expect(200)).body;
    expect(workflows.find((w: { key: string }) => w.key === 'order-fulfillment')).toMatchObject({ latestVersion: 2 });
    await database.drop();
  });
});
