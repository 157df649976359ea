import { is, type RuleFactory } from '../types';

/**
 * Every sequence flow has a source and a target (no dangling flows). A reference to an id that does not
 * exist is reported by the parser as well; the validator keeps one of the two.
 */
const sequenceFlowEnds: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:SequenceFlow')) return;
    if (!node.sourceRef) reporter.report(node.id, 'the sequence flow has no source (sourceRef)');
    if (!node.targetRef) reporter.report(node.id, 'the sequence flow has no target (targetRef)');
  },
});

export default sequenceFlowEnds;
