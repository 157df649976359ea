import { is, isAny, many, type ModdleElement, type RuleFactory } from '../types';

function problemOf(message: ModdleElement | undefined): string | undefined {
  if (!message) return 'references no message (messageRef)';
  if (!is(message, 'bpmn:Message')) return `references "${message.id ?? '?'}", which is not a message`;
  if (!message.name?.trim()) return `references message "${message.id ?? '?'}", which has no name: messages are correlated by name`;
  return undefined;
}

/**
 * Every message catch (start, intermediate and boundary events with a message definition) and every
 * receive task references a bpmn:message that has a name: messages are delivered by name and business key.
 */
const messageReference: RuleFactory = () => ({
  check(node, reporter) {
    if (is(node, 'bpmn:ReceiveTask')) {
      const problem = problemOf(node.messageRef as ModdleElement | undefined);
      if (problem) reporter.report(node.id, `the receive task ${problem}`);
      return;
    }
    if (!isAny(node, ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent'])) return;
    for (const definition of many(node, 'eventDefinitions')) {
      if (!is(definition, 'bpmn:MessageEventDefinition')) continue;
      const problem = problemOf(definition.messageRef as ModdleElement | undefined);
      if (problem) reporter.report(node.id, `the message event ${problem}`);
    }
  },
});

export default messageReference;
