import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BpmnModdle from 'bpmn-moddle';
import { formFieldsOf, moddleExtensions, taskInputsOf, taskTypeOf } from '../../../src/workflow/bpmn/moddle-extensions';
import { type DiagramProblem, validateDiagram } from '../../../src/workflow/validation/diagram-validator';
import { isIsoCycle, isIsoDateTime, isIsoDuration } from '../../../src/workflow/validation/iso8601';

const ROOT = join(__dirname, '../../..');
// the task types the app registers (OrderTaskTypes, AfterSalesTaskTypes, SetVariablesTaskType); the shipped diagrams may use any of them
const registered = new Set(['order.review', 'stock.reserve', 'notify.send', 'order.complete', 'order.cancel-unpaid', 'workflow.set-variables',
  'aftersales.review', 'aftersales.receive', 'aftersales.inspect', 'aftersales.refund', 'aftersales.reserve-replacement', 'aftersales.escalate', 'aftersales.close']);
const validate = (xml: string) => validateDiagram(xml, (type) => registered.has(type));

const diagram = (body: string, roots = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:oms="http://oms.dev/schema/bpmn"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs" targetNamespace="http://oms.dev/test">
  ${roots}
  <bpmn:process id="P" name="Test" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

/** Start → <element id="X"> → End, with names so that only what a test breaks is reported. */
const around = (element: string, extra = '') =>
  diagram(`<bpmn:startEvent id="Start" name="Start" />
    <bpmn:sequenceFlow id="F_in" sourceRef="Start" targetRef="X" />
    ${element}
    <bpmn:sequenceFlow id="F_out" sourceRef="X" targetRef="End" />
    <bpmn:endEvent id="End" name="End" />
    ${extra}`);

/** Start → gateway G (flows A → EndA, B → EndB) with the given attributes and flow bodies. */
const gateway = (options: { kind?: string; gatewayAttrs?: string; a?: string; b?: string }) =>
  diagram(`<bpmn:startEvent id="Start" name="Start" />
    <bpmn:sequenceFlow id="F_in" sourceRef="Start" targetRef="G" />
    <bpmn:${options.kind ?? 'exclusiveGateway'} id="G" name="Which?" ${options.gatewayAttrs ?? ''} />
    <bpmn:sequenceFlow id="A" name="a" sourceRef="G" targetRef="EndA">${options.a ?? ''}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="B" name="b" sourceRef="G" targetRef="EndB">${options.b ?? ''}</bpmn:sequenceFlow>
    <bpmn:endEvent id="EndA" name="A" />
    <bpmn:endEvent id="EndB" name="B" />`);

const condition = (body: string, attrs = '') =>
  `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"${attrs}>${body}</bpmn:conditionExpression>`;

const timer = (kind: string, value: string) =>
  around(`<bpmn:intermediateCatchEvent id="X" name="Wait"><bpmn:timerEventDefinition><bpmn:${kind} xsi:type="bpmn:tFormalExpression">${value}</bpmn:${kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`);

const paths = (problems: DiagramProblem[]) => problems.map((problem) => problem.path).sort();
const rules = (problems: DiagramProblem[]) => problems.map((problem) => problem.rule).sort();

describe('diagram validation (bpmnlint recommended + ours)', () => {
  it('a small valid diagram has no errors; without a layout it gets one no-bpmndi warning', async () => {
    const result = await validate(around('<bpmn:serviceTask id="X" name="Review" oms:taskType="order.review" />'));
    expect(result.errors).toEqual([]);
    expect(result.name).toBe('Test');
    expect(result.warnings).toEqual([{ path: 'P', rule: 'no-bpmndi', message: expect.stringContaining('no layout') }]);
  });

  describe('bpmnlint recommended: structural rules are errors, cosmetic ones warnings', () => {
    it('no start event → start-event-required error on the process', async () => {
      const { errors } = await validate(diagram('<bpmn:task id="T" name="t" /><bpmn:sequenceFlow id="F" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" name="e" />'));
      expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'P', rule: 'start-event-required' })]));
    });

    it('a task nothing leads to (an implicit start, run with every instance) is an error naming it', async () => {
      const { errors } = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:serviceTask id="Loose" name="Loose" oms:taskType="notify.send" />'));
      expect(paths(errors)).toEqual(['Loose', 'Loose']);
      expect(rules(errors)).toEqual(['no-disconnected', 'no-implicit-start']);
    });

    it('two unconditional flows out of a task (an implicit parallel split) is an error', async () => {
      const { errors } = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:sequenceFlow id="F_more" sourceRef="X" targetRef="End2" /><bpmn:endEvent id="End2" name="End 2" />'));
      expect(errors).toEqual([expect.objectContaining({ path: 'X', rule: 'no-implicit-split' })]);
    });

    it('a missing end event, an implicit end and missing names are warnings, not errors', async () => {
      const result = await validate(diagram('<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T" /><bpmn:task id="T" />'));
      expect(result.errors).toEqual([]);
      expect(rules(result.warnings)).toEqual(['end-event-required', 'label-required', 'label-required', 'no-bpmndi', 'no-implicit-end']);
    });

    it('several flows into one task (fake-join) is a warning', async () => {
      const result = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:sequenceFlow id="F_again" sourceRef="Start" targetRef="X" />'));
      expect(result.errors.filter((problem) => problem.rule === 'fake-join')).toEqual([]);
      expect(result.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'X', rule: 'fake-join' })]));
    });

    it('reads the graph from sourceRef/targetRef whether or not the XML lists incoming/outgoing', async () => {
      const listed = diagram(`<bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>F</bpmn:outgoing></bpmn:startEvent>
        <bpmn:sequenceFlow id="F" sourceRef="Start" targetRef="End" />
        <bpmn:endEvent id="End" name="End"><bpmn:incoming>F</bpmn:incoming></bpmn:endEvent>`);
      const unlisted = diagram(`<bpmn:startEvent id="Start" name="Start" /><bpmn:sequenceFlow id="F" sourceRef="Start" targetRef="End" /><bpmn:endEvent id="End" name="End" />`);
      expect((await validate(listed)).errors).toEqual([]);
      expect((await validate(unlisted)).errors).toEqual([]);
    });
  });

  describe('oms/task-type: every service and send task names a registered task type', () => {
    it.each([
      ['no type', '<bpmn:serviceTask id="X" name="x" />', /names no task type/],
      ['an unregistered oms:taskType', '<bpmn:serviceTask id="X" name="x" oms:taskType="no.such.type" />', /"no.such.type" is not registered/],
      ['an unregistered zeebe type', '<bpmn:serviceTask id="X" name="x"><bpmn:extensionElements><zeebe:taskDefinition type="order.reveiw" /></bpmn:extensionElements></bpmn:serviceTask>', /"order.reveiw" is not registered/],
      ['a send task without type', '<bpmn:sendTask id="X" name="x" />', /send task names no task type/],
    ])('broken: %s → error on the task', async (_label, element, message) => {
      const { errors } = await validate(around(element));
      expect(errors).toEqual([{ path: 'X', rule: 'oms/task-type', message: expect.stringMatching(message) }]);
    });

    it.each([
      ['oms:taskType', '<bpmn:serviceTask id="X" name="x" oms:taskType="order.review" />'],
      ['zeebe:taskDefinition', '<bpmn:serviceTask id="X" name="x"><bpmn:extensionElements><zeebe:taskDefinition type="order.review" /></bpmn:extensionElements></bpmn:serviceTask>'],
      ['camunda:topic', '<bpmn:serviceTask id="X" name="x" camunda:type="external" camunda:topic="order.review" />'],
      ['a send task with oms:taskType', '<bpmn:sendTask id="X" name="x" oms:taskType="notify.send" />'],
    ])('fixed: %s naming a registered type → no error', async (_label, element) => {
      expect((await validate(around(element))).errors).toEqual([]);
    });
  });

  describe('oms/gateway-conditions: a forking exclusive/inclusive gateway decides by conditions or a default', () => {
    it('broken: a flow without condition that is not the default → one error naming that flow', async () => {
      const { errors } = await validate(gateway({ a: condition('${amount &gt; 100}') }));
      expect(errors).toEqual([{ path: 'B', rule: 'oms/gateway-conditions', message: expect.stringMatching(/without a condition/) }]);
    });

    it('broken: no conditions and no default → both flows are named', async () => {
      const { errors } = await validate(gateway({}));
      expect(paths(errors)).toEqual(['A', 'B']);
      expect(new Set(rules(errors))).toEqual(new Set(['oms/gateway-conditions']));
    });

    it('broken: an inclusive gateway is held to the same rule', async () => {
      const { errors } = await validate(gateway({ kind: 'inclusiveGateway', b: condition('${amount &gt; 100}') }));
      expect(errors).toEqual([expect.objectContaining({ path: 'A', rule: 'oms/gateway-conditions' })]);
    });

    it('broken: the default flow has a condition → error naming the default flow', async () => {
      const { errors } = await validate(gateway({ gatewayAttrs: 'default="B"', a: condition('${amount &gt; 100}'), b: condition('${amount &lt;= 100}') }));
      expect(errors).toEqual([{ path: 'B', rule: 'oms/gateway-conditions', message: expect.stringMatching(/default flow .* has a condition/) }]);
    });

    it('fixed: a condition on every flow but the default → no error', async () => {
      expect((await validate(gateway({ gatewayAttrs: 'default="B"', a: condition('${amount &gt; 100}') }))).errors).toEqual([]);
      expect((await validate(gateway({ a: condition('=amount &gt; 100'), b: condition('=amount &lt;= 100') }))).errors).toEqual([]);
    });
  });

  describe('oms/timer-iso8601: every timer is a literal ISO 8601 duration, date-time or cycle', () => {
    it.each([
      ['timeDuration', '15 minutes'],
      ['timeDuration', 'PT15'],
      ['timeDuration', '${delay}'],
      ['timeDate', '2025-06-01T09:00:00'],
      ['timeDate', '2025-02-30T09:00:00Z'],
      ['timeCycle', '0 0 9 * * ?'],
      ['timeCycle', 'PT1H'],
    ])('broken: %s "%s" → error on the event', async (kind, value) => {
      const { errors } = await validate(timer(kind, value));
      expect(errors).toEqual([{ path: 'X', rule: 'oms/timer-iso8601', message: expect.stringContaining(`${kind} "${value}" is not`) }]);
    });

    it('broken: a timer without any time → error on the event', async () => {
      const { errors } = await validate(around('<bpmn:intermediateCatchEvent id="X" name="Wait"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent>'));
      expect(errors).toEqual([expect.objectContaining({ path: 'X', rule: 'oms/timer-iso8601', message: expect.stringMatching(/no timeDuration/) })]);
    });

    it.each([
      ['timeDuration', 'PT15M'],
      ['timeDuration', 'P40D'],
      ['timeDate', '2025-06-01T09:00:00Z'],
      ['timeDate', '2025-06-01T09:00:00+02:00'],
      ['timeCycle', 'R3/PT10M'],
      ['timeCycle', 'R/2025-06-01T09:00:00Z/P1D'],
    ])('fixed: %s "%s" → no error', async (kind, value) => {
      expect((await validate(timer(kind, value))).errors).toEqual([]);
    });

    // what bpmn-elements' own parser (@0dep/piso) reads, as a duration alone
    it('durations: P..T.. with at least one unit; a fraction only on the smallest unit; weeks', () => {
      for (const valid of ['PT15M', 'P1D', 'P1Y2M3DT4H5M6.5S', 'PT0S', 'PT1,5S', 'P0.5D', 'P2W', 'P1DT12H', 'P1Y2W', 'P1DT']) expect([valid, isIsoDuration(valid)]).toEqual([valid, true]);
      for (const invalid of ['P', 'PT', 'pt1h', 'PT1.5H30M', 'P1DT2W', '15M', 'P-1D', 'PT15M ', 'PT15', 'R3/PT10M', '2025-06-01T09:00:00Z/P1D']) expect([invalid, isIsoDuration(invalid)]).toEqual([invalid, false]);
    });

    it('date-times need a valid calendar date, a time and an offset or Z', () => {
      for (const valid of ['2025-06-01T09:00:00Z', '2025-06-01T09:00Z', '2024-02-29T23:59:59.999+05:30', '2025-06-01T09:00:00-0800', '2025-06-01T24:00:00Z', '20250601T0900Z']) expect([valid, isIsoDateTime(valid)]).toEqual([valid, true]);
      for (const invalid of ['2025-06-01T09:00:00', '2025-06-01', '2025-02-29T09:00:00Z', '2025-13-01T09:00:00Z', '2025-06-01 09:00:00Z', '2025-06-01T09:00:00Zjunk']) expect([invalid, isIsoDateTime(invalid)]).toEqual([invalid, false]);
    });

    it('cycles are R[n]/<duration> or R[n]/<start>/<duration>', () => {
      for (const valid of ['R/PT1H', 'R3/PT10M', 'R5/2025-06-01T09:00:00Z/P1D']) expect([valid, isIsoCycle(valid)]).toEqual([valid, true]);
      for (const invalid of ['PT1H', 'R3', 'R3/', 'R3/PT1H/2025-06-01T09:00:00Z', 'R3/2025-06-01T09:00:00/P1D', 'Rx/PT1H', '0 0 9 * * ?']) expect([invalid, isIsoCycle(invalid)]).toEqual([invalid, false]);
    });
  });

  describe('oms/condition-expression: every condition is an expression the runtime accepts (FEEL, or ${...} translated to FEEL)', () => {
    it.each([
      ['a syntax error', '${amount >}'],
      ['a disallowed operator', '${amount >>> 1}'],
      ['an unknown function', '=eval("1")'],
      ['an unwrapped condition (a constant string to the engine)', 'amount &gt; 100'],
      ['an empty condition', ''],
      ['JUEL `==` in FEEL (feelin would read it as a unary test, always null)', '=approved == true'],
      ['a loop in FEEL', '=count(for i in 1..1000000 return i) &gt; 0'],
      ['a type error between constants', '="a" + 1 = "a1"'],
      ['a constant that is not true or false', '="yes"'],
    ])('broken: %s → error on the flow', async (_label, body) => {
      const { errors } = await validate(gateway({ gatewayAttrs: 'default="B"', a: condition(body) }));
      expect(errors).toEqual([expect.objectContaining({ path: 'A', rule: 'oms/condition-expression' })]);
    });

    it.each([
      ['JUEL style', '${amount &gt; 100 &amp;&amp; tier == "gold"}'],
      ['FEEL style with single = equality', '=reviewOutcome = "approved" and amount &gt;= 100'],
      ['FEEL style with built-in functions', '=list contains(["paid", "settled"], status)'],
      ['JUEL with empty, ! and a ternary', '${!empty items &amp;&amp; (vip ? amount &gt; 0 : amount &gt; 100)}'],
    ])('fixed: %s → no error', async (_label, body) => {
      expect((await validate(gateway({ gatewayAttrs: 'default="B"', a: condition(body) }))).errors).toEqual([]);
    });

    it('conditional events are checked too', async () => {
      const event = (body: string) => around(`<bpmn:intermediateCatchEvent id="X" name="When"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${body}</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>`);
      expect((await validate(event('${ready ==}'))).errors).toEqual([expect.objectContaining({ path: 'X', rule: 'oms/condition-expression' })]);
      expect((await validate(event('${ready == true}'))).errors).toEqual([]);
    });
  });

  describe('oms/no-scripts: no script tasks, no script conditions', () => {
    it('broken: a script task → error on it', async () => {
      const { errors } = await validate(around('<bpmn:scriptTask id="X" name="x" scriptFormat="javascript"><bpmn:script>process.exit(1)</bpmn:script></bpmn:scriptTask>'));
      expect(errors).toEqual([{ path: 'X', rule: 'oms/no-scripts', message: expect.stringMatching(/script tasks are not allowed/) }]);
    });

    it('broken: a condition with a language is a script → one error on the flow', async () => {
      const { errors } = await validate(gateway({ gatewayAttrs: 'default="B"', a: condition('next(null, true)', ' language="javascript"') }));
      expect(errors).toEqual([{ path: 'A', rule: 'oms/no-scripts', message: expect.stringMatching(/language "javascript"/) }]);
    });

    it('fixed: the same condition as an expression → no error', async () => {
      expect((await validate(gateway({ gatewayAttrs: 'default="B"', a: condition('${true}') }))).errors).toEqual([]);
    });
  });

  describe('oms/message-reference: message catches and receive tasks reference a named message', () => {
    const catchEvent = (definition: string) => around(`<bpmn:intermediateCatchEvent id="X" name="Paid">${definition}</bpmn:intermediateCatchEvent>`);

    it('broken: no messageRef → error on the event', async () => {
      const { errors } = await validate(catchEvent('<bpmn:messageEventDefinition />'));
      expect(errors).toEqual([{ path: 'X', rule: 'oms/message-reference', message: expect.stringMatching(/references no message/) }]);
    });

    it('broken: a message without a name → error on the event', async () => {
      const xml = catchEvent('<bpmn:messageEventDefinition messageRef="M" />').replace('<bpmn:process', '<bpmn:message id="M" /><bpmn:process');
      const { errors } = await validate(xml);
      expect(errors).toEqual([{ path: 'X', rule: 'oms/message-reference', message: expect.stringMatching(/has no name/) }]);
    });

    it('broken: a messageRef to an id that does not exist → one error on the event', async () => {
      const { errors } = await validate(catchEvent('<bpmn:messageEventDefinition messageRef="Nope" />'));
      expect(errors).toEqual([{ path: 'X', rule: 'xml', message: 'messageRef references "Nope", which does not exist' }]);
    });

    it('broken: a receive task without message → error on it', async () => {
      const { errors } = await validate(around('<bpmn:receiveTask id="X" name="Wait" />'));
      expect(errors).toEqual([expect.objectContaining({ path: 'X', rule: 'oms/message-reference' })]);
    });

    it('fixed: named messages → no error', async () => {
      const event = catchEvent('<bpmn:messageEventDefinition messageRef="M" />').replace('<bpmn:process', '<bpmn:message id="M" name="PaymentReceived" /><bpmn:process');
      const task = around('<bpmn:receiveTask id="X" name="Wait" messageRef="M" />').replace('<bpmn:process', '<bpmn:message id="M" name="PaymentReceived" /><bpmn:process');
      expect((await validate(event)).errors).toEqual([]);
      expect((await validate(task)).errors).toEqual([]);
    });
  });

  describe('dangling flows and unknown content', () => {
    it('a flow to an id that does not exist → one error naming the flow', async () => {
      const { errors } = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:sequenceFlow id="F_lost" sourceRef="X" targetRef="Gone" />'));
      expect(errors).toEqual([{ path: 'F_lost', rule: 'xml', message: 'targetRef references "Gone", which does not exist' }]);
    });

    it('a flow without targetRef → error naming the flow', async () => {
      const { errors } = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:sequenceFlow id="F_lost" sourceRef="X" />'));
      expect(errors).toEqual([{ path: 'F_lost', rule: 'oms/sequence-flow-ends', message: expect.stringMatching(/no target/) }]);
    });

    it('unknown BPMN or oms content is an error; unknown vendor (zeebe, camunda) content a warning', async () => {
      const bpmn = await validate(around('<bpmn:task id="X" name="x" />', '<bpmn:taks id="Typo" />'));
      expect(bpmn.errors).toEqual([expect.objectContaining({ path: 'xml', message: expect.stringMatching(/<bpmn:taks>/) })]);
      const oms = await validate(around('<bpmn:serviceTask id="X" name="x" oms:taskType="notify.send"><bpmn:extensionElements><oms:imput name="template" value="x" /></bpmn:extensionElements></bpmn:serviceTask>'));
      expect(oms.errors).toEqual([expect.objectContaining({ path: 'xml', message: expect.stringMatching(/<oms:imput>/) })]);
      const zeebe = await validate(around('<bpmn:serviceTask id="X" name="x"><bpmn:extensionElements><zeebe:taskDefinition type="notify.send" /><zeebe:taskHeaders><zeebe:header key="a" value="b" /></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>'));
      expect(zeebe.errors).toEqual([]);
      expect(zeebe.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'xml', message: expect.stringMatching(/<zeebe:taskHeaders>.* ignored/) })]));
    });

    it('text that is not BPMN, a diagram without a process, and one without an executable process are errors', async () => {
      expect((await validate('not xml at all')).errors).toEqual([expect.objectContaining({ path: 'xml' })]);
      const empty = diagram('').replace(/<bpmn:process[\s\S]*<\/bpmn:process>/, '');
      expect((await validate(empty)).errors).toEqual([expect.objectContaining({ path: 'definitions', message: 'the diagram has no process' })]);
      const notExecutable = around('<bpmn:task id="X" name="x" />').replace('isExecutable="true"', 'isExecutable="false"');
      expect((await validate(notExecutable)).errors).toEqual([expect.objectContaining({ path: 'P', message: expect.stringMatching(/executable/) })]);
    });
  });

  describe('whole diagrams', () => {
    const shipped = readdirSync(join(ROOT, 'workflows')).filter((file) => file.endsWith('.bpmn'));

    it.each(shipped)('the shipped workflows/%s validates with no errors', async (file) => {
      const result = await validate(readFileSync(join(ROOT, 'workflows', file), 'utf8'));
      expect(result.errors).toEqual([]);
      expect(result.name).not.toBe('');
    });

    it.each(['camunda-modeler-order.bpmn', 'camunda7-modeler-order.bpmn'])('the Camunda Modeler fixture %s validates with no errors', async (file) => {
      const result = await validate(readFileSync(join(ROOT, 'test/fixtures', file), 'utf8'));
      expect(result.errors).toEqual([]);
      // what the runtime ignores is said, not silently dropped
      expect(result.warnings.every((warning) => warning.rule === 'xml')).toBe(true);
    });

    it('the Camunda 8 fixture names its task types with zeebe:taskDefinition and its template with a zeebe:input', async () => {
      const xml = readFileSync(join(ROOT, 'test/fixtures/camunda-modeler-order.bpmn'), 'utf8');
      expect(xml).toContain('modeler:executionPlatform="Camunda Cloud"');
      const { rootElement } = await new BpmnModdle(moddleExtensions).fromXML(xml, 'bpmn:Definitions');
      const process = (rootElement as { rootElements: Array<{ $type: string; flowElements?: Array<{ $type: string; id: string }> }> }).rootElements.find((element) => element.$type === 'bpmn:Process');
      const tasks = (process?.flowElements ?? []).filter((element) => element.$type === 'bpmn:ServiceTask');
      expect(tasks.map((task) => taskTypeOf(task as never))).toEqual(['order.review', 'stock.reserve', 'notify.send']);
      expect(taskInputsOf(tasks[2] as never)).toEqual({ template: 'order-confirmation' });
    });

    it('a diagram with three problems lists all three, each with its element id', async () => {
      const xml = diagram(`<bpmn:startEvent id="Start" name="Start" />
        <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
        <bpmn:serviceTask id="Review" name="Review" oms:taskType="order.reveiw" />
        <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="Decide" />
        <bpmn:exclusiveGateway id="Decide" name="OK?" />
        <bpmn:sequenceFlow id="Yes" name="yes" sourceRef="Decide" targetRef="Done">${condition('=reviewOutcome = "approved"')}</bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="No" name="no" sourceRef="Decide" targetRef="Later" />
        <bpmn:intermediateCatchEvent id="Later" name="Later"><bpmn:timerEventDefinition><bpmn:timeDuration>15 minutes</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="F3" sourceRef="Later" targetRef="Done" />
        <bpmn:endEvent id="Done" name="Done" />`);
      const { errors } = await validate(xml);
      expect(paths(errors)).toEqual(['Later', 'No', 'Review']);
      expect(rules(errors)).toEqual(['oms/gateway-conditions', 'oms/task-type', 'oms/timer-iso8601']);
    });

    it('the integration test diagram with an unknown type, a typeless task and a script task has exactly those three errors', async () => {
      const xml = diagram(`<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="F" sourceRef="S" targetRef="T1" />
        <bpmn:serviceTask id="T1" oms:taskType="no.such.type" /><bpmn:sequenceFlow id="F2" sourceRef="T1" targetRef="T2" />
        <bpmn:serviceTask id="T2" /><bpmn:sequenceFlow id="F3" sourceRef="T2" targetRef="X" />
        <bpmn:scriptTask id="X" scriptFormat="javascript"><bpmn:script>process.exit(1)</bpmn:script></bpmn:scriptTask>`);
      expect(paths((await validate(xml)).errors)).toEqual(['T1', 'T2', 'X']);
    });
  });
});

describe('user task forms (issue 11: completing a task sets only its form fields)', () => {
  const userTask = (fields: string) => around(`<bpmn:userTask id="X" name="Decide"><bpmn:extensionElements>${fields}</bpmn:extensionElements></bpmn:userTask>`);

  it('reads oms:formField and Camunda 7 camunda:formData alike: labels, option names, defaults and limits (issue 14 item 9)', async () => {
    const parsed = await new BpmnModdle(moddleExtensions).fromXML(
      userTask(`<oms:formField name="approved" type="boolean" label="Approve" required="true" />
        <camunda:formData><camunda:formField id="qc" label="QC" type="enum"><camunda:validation><camunda:constraint name="required" /></camunda:validation>
          <camunda:value id="pass" name="Pass" /><camunda:value id="fail" name="Fail" /></camunda:formField>
          <camunda:formField id="count" type="long" label="件数" defaultValue="1"><camunda:validation><camunda:constraint name="min" config="1" /><camunda:constraint name="max" config="99" /></camunda:validation></camunda:formField>
          <camunda:formField id="note" type="string" label="备注"><camunda:validation><camunda:constraint name="maxlength" config="200" /></camunda:validation></camunda:formField>
          <camunda:formField id="pickupOn" type="date" label="取件日期" /></camunda:formData>
        <oms:formField name="result" type="enum" options="pass=合格,fail" label="结果" />`),
      'bpmn:Definitions',
    );
    const task = (parsed.rootElement as unknown as { rootElements: Array<{ flowElements: Array<{ id: string }> }> }).rootElements[0].flowElements.find((element) => element.id === 'X');
    expect(formFieldsOf(task as never)).toEqual([
      { name: 'approved', label: 'Approve', type: 'boolean', required: true },
      { name: 'qc', label: 'QC', type: 'enum', required: true, options: ['pass', 'fail'], optionLabels: { pass: 'Pass', fail: 'Fail' } },
      { name: 'count', label: '件数', type: 'long', required: false, defaultValue: '1', min: 1, max: 99 },
      { name: 'note', label: '备注', type: 'string', required: false, maxLength: 200 },
      { name: 'pickupOn', label: '取件日期', type: 'date', required: false },
      { name: 'result', label: '结果', type: 'enum', required: false, options: ['pass', 'fail'], optionLabels: { pass: '合格' } },
    ]);
  });

  it('a well-formed form deploys; bad names, unknown types, duplicates and optionless enums are errors on the task', async () => {
    expect((await validate(userTask('<oms:formField name="refundAmount" type="money" required="true" />'))).errors).toEqual([]);
    const { errors } = await validate(
      userTask(`<oms:formField name="9lives" /><oms:formField name="a" type="blob" /><oms:formField name="b" /><oms:formField name="b" />
        <oms:formField name="c" type="enum" />`),
    );
    expect(errors.map((problem) => [problem.path, problem.rule])).toEqual(Array(4).fill(['X', 'oms/user-task-form']));
    expect(errors.map((problem) => problem.message).join(' | ')).toMatch(/not a variable name.*type "blob".*declared twice.*enum without options/);
  });
});
