import { Engine } from 'bpmn-engine';
import { moddleExtensions } from '../../../src/workflow/bpmn/moddle-extensions';
import { runEngineStep } from '../../../src/workflow/engine-step';
import { migrateState, parsedDiagram } from '../../../src/workflow/engine/diagram-cache';
import { TaskTypeRegistry } from '../../../src/workflow/task-type.registry';
import { AS_SYSTEM, diagram } from '../../helpers/bpmn';

const waitThenTask = (key: string, task: string) =>
  diagram(
    key,
    `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="Wait" />
     <bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Msg_Go" /></bpmn:intermediateCatchEvent>
     <bpmn:sequenceFlow id="F1" sourceRef="Wait" targetRef="${task}" />
     <bpmn:serviceTask id="${task}" oms:taskType="test.record" /><bpmn:sequenceFlow id="F2" sourceRef="${task}" targetRef="End" />
     <bpmn:endEvent id="End" />`,
    '<bpmn:message id="Msg_Go" name="Go" />',
  );

/** The runtime parses a deployed version once and keeps the diagram out of saved states. */
describe('engine steps on cached diagrams', () => {
  const calls: string[] = [];
  const registry = new TaskTypeRegistry();
  registry.register({ type: 'test.record', name: 'Record', description: 'records its element', inputs: [], outputs: [], permissions: [], handle: async (context) => void calls.push(`${context.instanceId}:${context.elementId}`) });
  const go = { kind: 'message' as const, name: 'Go', payload: {} };

  it('a version is parsed once per id; a failed load is tried again', async () => {
    const xml = waitThenTask('cached', 'Task');
    let loads = 0;
    const loader = async () => {
      loads++;
      return xml;
    };
    const [first, second] = await Promise.all([parsedDiagram('def-cached', loader), parsedDiagram('def-cached', loader)]);
    expect(first).toBe(second);
    expect(loads).toBe(1);
    await expect(parsedDiagram('def-broken', async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect((await parsedDiagram('def-broken', loader)).id).toBe('Defs_cached');
  });

  it('a saved state carries no diagram, and resumes on the version it names', async () => {
    const xml = waitThenTask('stateless', 'Task');
    const first = await runEngineStep({ instanceId: 'i-1', businessKey: 'B-1', definitionId: 'def-stateless', xml, variables: {}, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    expect(first.waiting.map((wait) => wait.elementId)).toEqual(['Wait']);
    const saved = JSON.parse(JSON.stringify(first.state));
    expect(saved.definitions).toHaveLength(1);
    expect(saved.definitions[0].source).toBeUndefined();

    const loader = () => Promise.reject(new Error('a cached version is never read again'));
    const second = await runEngineStep({ instanceId: 'i-1', businessKey: 'B-1', definitionId: 'def-stateless', xml: loader, state: saved, variables: {}, trigger: go, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    expect(second.completed).toBe(true);
    expect(calls).toContain('i-1:Task');
  });

  it('a state saved with its diagram (before the cache) resumes on the instance version', async () => {
    const xml = waitThenTask('legacy', 'Task');
    // what bpmn-engine saved by itself: the serialized diagram in every state
    const engine = new Engine({ source: xml, moddleOptions: moddleExtensions } as never) as unknown as { getState(): Promise<{ definitions: Array<{ source?: string }> }> };
    const withSource = (await engine.getState()).definitions[0].source;
    expect(withSource).toEqual(expect.any(String));
    const first = await runEngineStep({ instanceId: 'i-2', businessKey: 'B-2', definitionId: 'def-legacy', xml, variables: {}, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    const legacy = JSON.parse(JSON.stringify(first.state));
    legacy.definitions[0].source = withSource;
    const second = await runEngineStep({ instanceId: 'i-2', businessKey: 'B-2', definitionId: 'def-legacy', xml, state: legacy, variables: {}, trigger: go, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    expect(second.completed).toBe(true);
    expect(calls).toContain('i-2:Task');
  });

  it('instances of two versions step at the same time, each on its own diagram; a migrated state runs the new one', async () => {
    const v1 = waitThenTask('versioned', 'V1Task');
    const v2 = waitThenTask('versioned', 'V2Task').replace('id="Defs_versioned"', 'id="Defs_versioned_v2"');
    const start = (id: string, definitionId: string, xml: string) => runEngineStep({ instanceId: id, businessKey: id, definitionId, xml, variables: {}, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    const [a, b] = await Promise.all([start('v1-a', 'def-v1', v1), start('v2-b', 'def-v2', v2)]);
    const resume = (id: string, definitionId: string, xml: string, state: unknown) =>
      runEngineStep({ instanceId: id, businessKey: id, definitionId, xml, state: JSON.parse(JSON.stringify(state)), variables: {}, trigger: go, timeoutMs: 5000, ...AS_SYSTEM }, registry);
    const migrated = await migrateState(JSON.parse(JSON.stringify(a.state)), 'def-v2', v2);
    const [c] = await Promise.all([start('v1-c', 'def-v1', v1)]);
    await Promise.all([resume('v1-a', 'def-v2', v2, migrated), resume('v2-b', 'def-v2', v2, b.state), resume('v1-c', 'def-v1', v1, c.state)]);
    expect(calls.filter((call) => /^v\d-/.test(call)).sort()).toEqual(['v1-a:V2Task', 'v1-c:V1Task', 'v2-b:V2Task']);
  });
});
