import { FORM_FIELD_TYPES, formFieldsOf } from '../../bpmn/moddle-extensions';
import { is, type RuleFactory } from '../types';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * A user task's form is what completing it may set (nothing else is accepted), so it must be well formed: each field a
 * variable name, of a known type, named once, an enum with its options.
 */
const userTaskForm: RuleFactory = () => ({
  check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) return;
    const seen = new Set<string>();
    for (const field of formFieldsOf(node as never)) {
      if (!VARIABLE_NAME.test(field.name)) reporter.report(node.id, `form field "${field.name}" is not a variable name (letters, digits, _; at most 64)`);
      if (seen.has(field.name)) reporter.report(node.id, `form field "${field.name}" is declared twice`);
      seen.add(field.name);
      if (!(FORM_FIELD_TYPES as readonly string[]).includes(field.type)) {
        reporter.report(node.id, `form field "${field.name}" has type "${field.type}"; use one of ${FORM_FIELD_TYPES.join(', ')}`);
      }
      if (field.type === 'enum' && !field.options?.length) reporter.report(node.id, `form field "${field.name}" is an enum without options`);
    }
  },
});

export default userTaskForm;
