import { compileExpression, ExpressionError, isExpression } from '../../expressions/diagram-expression';
import { expressionBody, is, many, type ModdleElement, type Reporter, type RuleFactory } from '../types';

function checkCondition(owner: ModdleElement, expression: unknown, what: string, reporter: Reporter): void {
  if (!expression || typeof expression !== 'object') return;
  // a `language` makes it a script: reported by oms/no-scripts, not parsed here
  if ((expression as { language?: unknown }).language) return;
  const body = expressionBody(expression) ?? '';
  if (body === '') {
    reporter.report(owner.id, `the ${what} is empty`);
    return;
  }
  if (!isExpression(body)) {
    reporter.report(owner.id, `the ${what} "${body}" must be written as \${...} or =... (for example \${amount > 100} or =amount > 100): unwrapped text is a constant, always true`);
    return;
  }
  try {
    // without variables a condition is true, false or null (a missing variable); anything else is a constant of another type
    const constant = compileExpression(body).evaluate({});
    if (constant !== null && typeof constant !== 'boolean') {
      reporter.report(owner.id, `the ${what} "${body}" gives ${JSON.stringify(constant)}, not true or false`);
    }
  } catch (error) {
    const reason = error instanceof ExpressionError ? error.message : String(error);
    reporter.report(owner.id, `the ${what} is not valid: ${reason}`);
  }
}

/**
 * Every condition is an expression the runtime accepts (src/workflow/expressions: FEEL, or `${...}` translated to FEEL),
 * checked by the same code: sequence-flow `conditionExpression`s and conditional events' `condition`. Conditions must be wrapped
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
