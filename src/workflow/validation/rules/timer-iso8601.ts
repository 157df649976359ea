import { timerProblem, type TimerKind } from '../iso8601';
import { expressionBody, is, many, type RuleFactory } from '../types';

const KINDS: TimerKind[] = ['timeDuration', 'timeDate', 'timeCycle'];

/**
 * Every timer event definition has exactly one of timeDuration / timeDate / timeCycle and its value is
 * a literal ISO 8601 duration, date-time (with offset) or repetition. Expressions (`${delay}`,
 * `=delay`) are not accepted: the durable timers are armed from the literal value.
 */
const timerIso8601: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:Event')) return;
    for (const definition of many(node, 'eventDefinitions')) {
      if (!is(definition, 'bpmn:TimerEventDefinition')) continue;
      const given = KINDS.filter((kind) => definition[kind] !== undefined);
      if (given.length === 0) {
        reporter.report(node.id, 'the timer has no timeDuration, timeDate or timeCycle');
        continue;
      }
      if (given.length > 1) {
        reporter.report(node.id, `the timer has more than one of ${given.join(', ')}: give exactly one`);
      }
      for (const kind of given) {
        const value = expressionBody(definition[kind]) ?? '';
        if (value === '') {
          reporter.report(node.id, `the timer's ${kind} is empty`);
          continue;
        }
        const expected = timerProblem(kind, value);
        if (expected) reporter.report(node.id, `the timer's ${kind} "${value}" is not ${expected}`);
      }
    }
  },
});

export default timerIso8601;
