import { createHash } from 'node:crypto';
import { moddleExtensions } from '../bpmn/moddle-extensions';
import { BpmnEngine, engineLogger, type SourceContext } from './engine-adapter';

/** What engine.getState() returns: one entry per `bpmn:definitions`, each with the serialized diagram as `source`. */
interface EngineState {
  definitions: Array<{ id: string; source?: string }>;
}

/** Parsed diagrams kept per deployed version (or per XML): parsing costs more than most steps' own work. */
const PARSED_LIMIT = 100;
const parsed = new Map<string, Promise<SourceContext>>();

/**
 * The diagram parsed once (bpmn-moddle, then bpmn-engine's serializer) and shared read-only by every engine that runs it:
 * an engine copies what it changes (each activity spreads its `behaviour`). `serialize` is silenced so that no saved state
 * carries the diagram; a state names its diagram through the instance's definition.
 */
export function parsedDiagram(definitionId: string | undefined, xml: string | (() => Promise<string>)): Promise<SourceContext> {
  const key = definitionId ?? `xml:${createHash('sha256').update(typeof xml === 'string' ? xml : '').digest('hex')}`;
  if (definitionId === undefined && typeof xml !== 'string') throw new Error('a diagram loader needs a definition id');
  const cached = parsed.get(key);
  if (cached) {
    parsed.delete(key); // least recently used goes first
    parsed.set(key, cached);
    return cached;
  }
  const parsing = (async () => {
    const source = typeof xml === 'string' ? xml : await xml();
    const engine = new BpmnEngine({ source, moddleOptions: moddleExtensions, ...engineLogger });
    const [definition, ...more] = await engine.getDefinitions();
    if (!definition || more.length) throw new Error('a diagram must have exactly one bpmn:definitions');
    const context = definition.context.definitionContext;
    return Object.create(context, { serialize: { value: () => undefined } }) as SourceContext;
  })();
  parsed.set(key, parsing);
  parsing.catch(() => parsed.delete(key)); // a failed load (a database error) is tried again next time
  if (parsed.size > PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
  return parsing;
}

/**
 * A saved state without its diagram, pointed at `context`. States saved before diagrams were cached carry the diagram
 * (`source`, ~20 KB) and, after a migration, the id of the version they came from: the instance's definition decides.
 */
export function recoverable(state: unknown, context: SourceContext): EngineState {
  const saved = state as EngineState;
  if (saved.definitions?.length !== 1) throw new Error('a saved state must hold exactly one bpmn:definitions');
  const { source: _source, ...definition } = saved.definitions[0];
  return { ...saved, definitions: [{ ...definition, id: context.id }] };
}

/**
 * Moves a saved instance onto another version's diagram: the execution state stays (it is keyed by element id),
 * the diagram it runs becomes the new one (the instance's definition; a state carries no diagram of its own).
 * The caller checks that every waiting element exists in the new version.
 */
export async function migrateState(state: unknown, definitionId: string, xml: string): Promise<unknown> {
  return recoverable(state, await parsedDiagram(definitionId, xml));
}
