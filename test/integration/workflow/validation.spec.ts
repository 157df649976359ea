import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS } from '../../../src/workflow/validation/xml-limits';
import { diagram } from '../../helpers/bpmn';
import { startTestApp, type TestApp } from '../../helpers/test-app';

const fixture = (file: string) => readFileSync(join(__dirname, '../../fixtures', file), 'utf8');

/** Validation before deploy through the API (issue 4 item 2): errors are a 422 naming elements, warnings ride along. */
describe('deploying diagrams: validation', () => {
  let app: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(async () => app?.close());

  const post = (key: string, xml: string) => app.http.post(`/api/workflows/${key}/versions`).set(auth).set('Content-Type', 'application/xml').send(xml);

  it('a diagram with lint warnings only deploys (201) and the warnings are returned', async () => {
    const xml = diagram('lint-warnings', `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T" />
      <bpmn:serviceTask id="T" oms:taskType="notify.send" />`);
    const { body } = await post('lint-warnings', xml).expect(201);
    expect(body).toMatchObject({ key: 'lint-warnings', version: 1 });
    expect(body.warnings).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'T', rule: 'no-implicit-end' }),
      expect.objectContaining({ path: 'lint-warnings', rule: 'end-event-required' }),
    ]));
    expect(body).not.toHaveProperty('created');
  });

  it('an invalid diagram is a 422 listing every problem with its element id, and nothing is stored', async () => {
    const xml = diagram('three-problems', `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Decide" />
      <bpmn:exclusiveGateway id="Decide" />
      <bpmn:sequenceFlow id="Yes" sourceRef="Decide" targetRef="Run"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="No" sourceRef="Decide" targetRef="Done" />
      <bpmn:serviceTask id="Run" oms:taskType="no.such.type" /><bpmn:sequenceFlow id="F2" sourceRef="Run" targetRef="Done" />
      <bpmn:endEvent id="Done" />`);
    const { body } = await post('three-problems', xml).expect(422);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['No', 'Run', 'Yes']);
    for (const detail of body.error.details) expect(detail).toEqual({ path: expect.any(String), message: expect.any(String), rule: expect.any(String) });
    await app.http.get('/api/workflows/three-problems/versions/1').set(auth).expect(404);
  });

  it.each([
    ['camunda-modeler-order', 'camunda-modeler-order.bpmn'],
    ['camunda7-modeler-order', 'camunda7-modeler-order.bpmn'],
  ])('the Camunda Modeler diagram %s deploys as it is', async (key, file) => {
    const { body } = await post(key, fixture(file)).expect(201);
    expect(body).toMatchObject({ key, version: 1 });
    expect(body.warnings.every((warning: { rule: string }) => warning.rule === 'xml')).toBe(true);
    // identical XML: 200 with the same version, not validated again
    const again = await post(key, fixture(file)).expect(200);
    expect(again.body).toMatchObject({ key, version: 1 });
  });

  describe('size limits, counted before the diagram is parsed (issue 11 item 6)', () => {
    const withExtensions = (id: string, extensions: string) =>
      diagram(id, `<bpmn:startEvent id="S"><bpmn:extensionElements>${extensions}</bpmn:extensionElements></bpmn:startEvent>`).replace('xmlns:oms=', 'xmlns:x="http://example.com/x" xmlns:oms=');

    it.each([
      ['200,000 nested extension elements (2.1 MB)', 'deep', '<x:a>'.repeat(200_000) + '</x:a>'.repeat(200_000), `deeper than ${MAX_XML_DEPTH} levels`],
      [`${MAX_XML_ELEMENTS} flat extension elements`, 'wide', '<x:a/>'.repeat(MAX_XML_ELEMENTS), `more than ${MAX_XML_ELEMENTS} XML elements`],
      [`${MAX_XML_ATTRIBUTES} attributes on one element`, 'attributes', `<x:a ${Array.from({ length: MAX_XML_ATTRIBUTES + 1 }, (_, i) => `a${i}="1"`).join(' ')}/>`, `more than ${MAX_XML_ATTRIBUTES} XML attributes`],
    ])('%s: 422 validation_failed naming the limit, nothing stored', async (_, key, extensions, limit) => {
      const { body } = await post(key, withExtensions(key, extensions)).expect(422);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details).toEqual([{ path: 'xml', message: expect.stringContaining(limit), rule: 'xml-limits' }]);
      await app.http.get(`/api/workflows/${key}/versions/1`).set(auth).expect(404);
    });

    it('a diagram just inside the limits still deploys', async () => {
      const nested = '<x:a>'.repeat(MAX_XML_DEPTH - 6) + '</x:a>'.repeat(MAX_XML_DEPTH - 6);
      const xml = diagram('within-limits', `<bpmn:startEvent id="S"><bpmn:extensionElements>${nested}</bpmn:extensionElements></bpmn:startEvent>
        <bpmn:sequenceFlow id="F" sourceRef="S" targetRef="E" /><bpmn:endEvent id="E" />`).replace('xmlns:oms=', 'xmlns:x="http://example.com/x" xmlns:oms=');
      expect((await post('within-limits', xml).expect(201)).body).toMatchObject({ key: 'within-limits', version: 1 });
    });
  });
});
