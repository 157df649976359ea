import { isAny, many, type ModdleElement, type RuleFactory } from '../types';

/**
 * An exclusive or inclusive gateway that forks (more than one outgoing flow) decides by conditions:
 * every outgoing flow has a condition except at most the gateway's default flow, and the default flow
 * has none (the engine ignores it; an analyst reading the diagram would not). The default flow must be
 * one of the gateway's own outgoing flows.
 *
 * Expects `outgoing` to be filled from the sequence flows (the validator does this before linting).
 */
const gatewayConditions: RuleFactory = () => ({
  check(node, reporter) {
    if (!isAny(node, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) return;
    const outgoing = many(node, 'outgoing');
    const defaultFlow = node.default as ModdleElement | undefined;
    const kind = node.$type === 'bpmn:ExclusiveGateway' ? 'exclusive' : 'inclusive';

    if (defaultFlow && !outgoing.includes(defaultFlow)) {
      reporter.report(node.id, `the default flow "${defaultFlow.id ?? '?'}" does not leave this gateway`);
    }
    for (const flow of outgoing) {
      const isDefault = flow === defaultFlow;
      if (isDefault && flow.conditionExpression) {
        reporter.report(flow.id, `the default flow of gateway "${node.id ?? '?'}" has a condition: a default flow is taken when no other condition holds and must have none`);
      }
      if (!isDefault && !flow.conditionExpression && outgoing.length > 1) {
        reporter.report(flow.id, `the flow leaves ${kind} gateway "${node.id ?? '?'}" without a condition and is not its default flow: give it a condition or make it the default`);
      }
    }
  },
});

export default gatewayConditions;
