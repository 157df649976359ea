/**
 * Expressions as diagrams write them (DESIGN "conditions"): `=...` is FEEL, as in Camunda 8; `${...}` is JUEL, as in
 * Camunda 7 and bpmn-engine diagrams, translated to FEEL (juel-shim.ts). Both are checked and run by feel.ts over
 * feelin, so deploy-time validation and the runtime accept exactly the same expressions.
 */
import { checkFeel, evaluateFeel, ExpressionError } from './feel';
import { juelToFeel } from './juel-shim';

export { ExpressionError } from './feel';

export interface CompiledExpression {
  /** The source exactly as given. */
  readonly source: string;
  /** What runs: the FEEL text (a translation for `${...}`). */
  readonly feel: string;
  evaluate(variables: Record<string, unknown>): unknown;
}

/** Compiled expressions kept per process (least recently used leaves first). */
const CACHE_LIMIT = 500;
const cache = new Map<string, CompiledExpression>();

/**
 * Parses and checks an expression (`=...` or a `${...}` spanning the whole text); throws ExpressionError naming what
 * is wrong. A type error between constants (`="a" + 1`) is found here too: the expression is tried once without variables.
 */
export function compileExpression(source: string): CompiledExpression {
  if (typeof source !== 'string') throw new ExpressionError('an expression must be a string');
  const checked = naming(source, () => {
    const start = source.length - source.trimStart().length;
    const text = source.trim();
    if (text.startsWith('=') && !text.startsWith('==')) return checkFeel(text.slice(1), start + 1);
    if (wrapsWholeText(text)) return checkFeel(juelToFeel(text.slice(2, -1), start + 2), undefined);
    if (text.startsWith('${')) throw new ExpressionError('the "${" is not closed by the final "}" (check quotes and braces; one ${...} per expression)');
    throw new ExpressionError('is not an expression: write ${...} or =... (for example ${amount > 100} or =amount > 100)');
  });
  naming(source, () => evaluateFeel(checked, {}));
  return Object.freeze({ source, feel: checked.feel, evaluate: (variables: Record<string, unknown>) => naming(source, () => evaluateFeel(checked, variables ?? {})) });
}

/** Runs a step of compiling or evaluating; an ExpressionError it throws names the expression as the diagram has it. */
function naming<T>(source: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ExpressionError) throw new ExpressionError(`${JSON.stringify(source.trim())}: ${error.message}`, error.position);
    throw error;
  }
}

/** Evaluates an expression over the variables (compiled once per process, then cached). */
export function evaluateExpression(source: string, variables: Record<string, unknown>): unknown {
  let compiled = cache.get(source);
  if (compiled) {
    cache.delete(source); // refresh recency: a Map iterates in insertion order
  } else {
    compiled = compileExpression(source);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  cache.set(source, compiled);
  return compiled.evaluate(variables);
}

/** True when text is an expression as a whole: FEEL's leading `=` (not `==`) or `${ ... }` spanning all of it. */
export function isExpression(text: string): boolean {
  const trimmed = text.trim();
  return (trimmed.startsWith('=') && !trimmed.startsWith('==')) || wrapsWholeText(trimmed);
}

/**
 * What bpmn-engine's expression hook returns for a text of a diagram: an expression's value; a text with `${...}`
 * inside (a message name `order-${orderId}`), that text with each one replaced by its value; any other text as it is.
 */
export function resolveText(text: string, variables: Record<string, unknown>): unknown {
  if (isExpression(text)) return evaluateExpression(text.trim(), variables);
  if (!text.includes('${')) return text;
  return text.replace(/\$\{[^}]*\}/g, (inner) => String(evaluateExpression(inner, variables) ?? ''));
}

/** True when text is `${ ... }` with the first `{` closed by the final `}` (braces inside quotes do not count). */
function wrapsWholeText(text: string): boolean {
  if (!text.startsWith('${') || !text.endsWith('}')) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}' && --depth === 0) {
      return i === text.length - 1;
    }
  }
  return false;
}
