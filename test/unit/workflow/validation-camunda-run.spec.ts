import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEngineStep } from '../../../src/workflow/engine-step';
import { type TaskContext, TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { AS_SYSTEM } from '../../helpers/bpmn';

/**
 * The Camunda Modeler fixtures are not only valid: the engine runs them as drawn (zeebe:taskDefinition /
 * camunda:topic task types, FEEL `=a = "x"` and JUEL `${a == "x"}` conditions, zeebe:input template).
 */
describe('Camunda Modeler fixtures run on the engine', () => {
  const run = async (file: string, reviewOutcome: string) => {
    const calls: Array<{ type: string; input: TaskContext['input'] }> = [];
    const registry = new TaskTypeRegistry();
    const stub = (type: string, output: Record<string, unknown>) =>
      registry.register({ type, name: type, description: type, inputs: [], outputs: [], permissions: [], handle: async (context) => { calls.push({ type, input: context.input }); return output; } });
    stub('order.review', { reviewOutcome });
    stub('stock.reserve', { stockReserved: true });
    stub('notify.send', { notified: true });
    const xml = readFileSync(join(__dirname, '../../fixtures', file), 'utf8');
    const result = await runEngineStep({ instanceId: `run-${file}-${reviewOutcome}`, businessKey: 'SO-1', xml, variables: { orderId: 'o-1' }, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    return { result, calls };
  };

  it('Camunda 8: approved → review, reserve, confirmation with its template, completed', async () => {
    const { result, calls } = await run('camunda-modeler-order.bpmn', 'approved');
    expect(calls.map((call) => call.type)).toEqual(['order.review', 'stock.reserve', 'notify.send']);
    expect(calls[2]?.input).toEqual({ template: 'order-confirmation' });
    expect(result.completed).toBe(true);
  });

  it('Camunda 8: closed → only the review, completed at "Order closed"', async () => {
    const { result, calls } = await run('camunda-modeler-order.bpmn', 'closed');
    expect(calls.map((call) => call.type)).toEqual(['order.review']);
    expect(result.completed).toBe(true);
    expect(result.history.filter((event) => event.kind === 'enter').map((event) => event.elementId)).toContain('Event_0q0w1yf');
  });

  it('Camunda 7: approved → review, reserve, confirmation, completed', async () => {
    const { result, calls } = await run('camunda7-modeler-order.bpmn', 'approved');
    expect(calls.map((call) => call.type)).toEqual(['order.review', 'stock.reserve', 'notify.send']);
    expect(result.completed).toBe(true);
  });
});
