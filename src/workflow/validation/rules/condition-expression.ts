import { ExpressionError, parseExpression } from '../../expressions/expression';
import { expressionBody, is, many, type ModdleElement, type Reporter, type RuleFactory } from '../types';

/** `${ ... }` spanning the whole text, or FEEL's leading `=` (not `==`). */
const WRAPPED = /^(?:\$\{[\s\S]*\}|=(?!=)[\s\S]*)$/;

function checkCondition(owner: ModdleElement, expression: unknown, what: string, reporter: Reporter): void {
  if (!expression || typeof expression !== 'object') return;
  // a `language` makes it a script: reported by oms/no-scripts, not parsed here
  if ((expression as { language?: unknown }).language) return;
  const body = expressionBody(expression) ?? '';
  if (body === '') {
    reporter.report(owner.id, `the ${what} is empty`);
    return;
  }
  if (!WRAPPED.test(body)) {
    reporter.report(owner.id, `the ${what} "${body}" must be written as \${...} or =... (for example \${amount > 100} or =amount > 100): unwrapped text is a constant, always true`);
    return;
  }
  try {
    parseExpression(body);
  } catch (error) {
    const reason = error instanceof ExpressionError ? error.message : String(error);
    reporter.report(owner.id, `the ${what} does not parse: ${reason}`);
  }
}

/**
 * Every condition parses with our safe expression language (src/workflow/expressions/expression.ts):
 * sequence-flow `conditionExpression`s and conditional events' `condition`. Conditions must be wrapped
 * (`${...}` or FEEL `=...`): the engine hands unwrapped text back as a string, which is always truthy.
 */
const conditionExpression: RuleFactory = () => ({
  check(node, reporter) {
    if (is(node, 'bpmn:SequenceFlow')) {
      checkCondition(node, node.conditionExpression, 'condition', reporter);
    }
    if (is(node, 'bpmn:Event')) {
      for (const definition of many(node, 'eventDefinitions')) {
        if (is(definition, 'bpmn:ConditionalEventDefinition')) {
          checkCondition(node, definition.condition, 'condition of the conditional event', reporter);
        }
      }
    }
  },
});

export default conditionExpression;
