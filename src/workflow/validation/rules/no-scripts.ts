import { is, many, type RuleFactory } from '../types';

function hasLanguage(expression: unknown): expression is { language: string } {
  return !!expression && typeof expression === 'object' && typeof (expression as { language?: unknown }).language === 'string'
    && (expression as { language: string }).language.trim() !== '';
}

/**
 * No script tasks and no script conditions (a condition with a `language` attribute is a script to
 * bpmn-engine). Scripts would run in node:vm, which is not a sandbox (DESIGN: "no `eval`, no `vm`
 * scripts from diagrams").
 */
const noScripts: RuleFactory = () => ({
  check(node, reporter) {
    if (is(node, 'bpmn:ScriptTask')) {
      reporter.report(node.id, 'script tasks are not allowed: use a service task with a registered task type');
    }
    if (is(node, 'bpmn:SequenceFlow') && hasLanguage(node.conditionExpression)) {
      reporter.report(node.id, `script conditions are not allowed (language "${node.conditionExpression.language}"): remove the language and write the condition as \${...} or =...`);
    }
    if (is(node, 'bpmn:Event')) {
      for (const definition of many(node, 'eventDefinitions')) {
        if (is(definition, 'bpmn:ConditionalEventDefinition') && hasLanguage(definition.condition)) {
          reporter.report(node.id, `script conditions are not allowed (language "${definition.condition.language}"): remove the language and write the condition as \${...} or =...`);
        }
      }
    }
  },
});

export default noScripts;
