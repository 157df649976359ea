import BpmnModdle from 'bpmn-moddle';
import { moddleExtensions } from './moddle-extensions';

interface FlowContainer {
  id?: string;
  flowElements?: FlowContainer[];
  rootElements?: FlowContainer[];
}

/** Every flow element id of a diagram, sub-processes included (to check an instance can move to another version). */
export async function elementIdsOf(xml: string): Promise<Set<string>> {
  const { rootElement } = await new BpmnModdle(moddleExtensions).fromXML(xml, 'bpmn:Definitions');
  const ids = new Set<string>();
  const visit = (element: FlowContainer) => {
    if (element.id) ids.add(element.id);
    for (const child of element.flowElements ?? []) visit(child);
  };
  for (const root of (rootElement as FlowContainer).rootElements ?? []) visit(root);
  return ids;
}
