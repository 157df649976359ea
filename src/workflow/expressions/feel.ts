/**
 * FEEL through feelin, the interpreter Camunda's own tools use (STACK "expressions"), kept to what a diagram's
 * condition needs and made safe to run over process variables:
 * - syntax: no `for`/`some`/`every`, no function definitions, no context literals (they would let an expression loop or
 *   grow without bound: a context is a let that can double a list per entry), no filter inside a filter's condition,
 *   no regular expressions (`matches`, `replace`, `split`: a pattern can backtrack for ever), only built-in functions;
 * - data: the expression sees a copy of the variables it names, plain JSON data only (no functions, no prototypes,
 *   never `__proto__`/`constructor`/`prototype`), bounded in size;
 * - errors: a syntax error or a type error (`"abc" + 1`) is an ExpressionError (a validation error at deploy, an
 *   incident at run time); a missing variable is FEEL's null, which a condition reads as false.
 * feelin is ESM only: Node >= 20.19 loads it through require(esm); under jest, jest.config.js compiles it to CommonJS.
 */
import { evaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, parseExpression } from 'feelin';

/** What the diagrams' FEEL means: Camunda 8's dialect (backtick names such as `order total`). */
const DIALECT = 'camunda';

/** feelin's parser slows down more than linearly on long and deeply nested text (~1 s for 8,000 characters of brackets). */
export const MAX_EXPRESSION_LENGTH = 4_000;
const MAX_BRACKET_DEPTH = 64;
/** Deeper syntax than this (a chain of ~190 `or`s) is not a condition anyone writes; depth costs stack in the interpreter. */
const MAX_SYNTAX_DEPTH = 200;
/** Bounds on the data one evaluation copies: values (of any kind), nesting, and characters over all strings and keys. */
export const DATA_LIMITS = { values: 2_000, depth: 32, characters: 1_000_000 } as const;

export class ExpressionError extends Error {
  /** Offset in the source as the caller wrote it, where known (syntax errors). */
  readonly position?: number;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'ExpressionError';
    if (position !== undefined) this.position = position;
  }
}

/** FEEL's built-in functions an expression may call: all of feelin's but the regular-expression ones and `sort` (it takes a function). */
const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'not', 'number', 'string', 'date', 'date and time', 'time', 'duration', 'years and months duration', 'now', 'today',
  'substring', 'string length', 'upper case', 'lower case', 'substring before', 'substring after', 'contains',
  'starts with', 'ends with', 'string join',
  'list contains', 'list replace', 'count', 'min', 'max', 'sum', 'mean', 'all', 'any', 'sublist', 'append', 'concatenate',
  'insert before', 'remove', 'reverse', 'index of', 'union', 'distinct values', 'flatten', 'product', 'median', 'stddev',
  'mode',
  'decimal', 'floor', 'ceiling', 'abs', 'round up', 'round down', 'round half up', 'round half down', 'modulo', 'sqrt',
  'log', 'exp', 'odd', 'even',
  'is', 'before', 'after', 'meets', 'met by', 'overlaps', 'overlaps before', 'overlaps after', 'finishes', 'finished by',
  'includes', 'during', 'starts', 'started by', 'coincides',
  'day of year', 'day of week', 'month of year', 'week of year',
  'get value', 'get entries', 'context', 'context merge', 'context put',
]);

/** Functions whose cost grows with the square of a list's size: not inside a filter's condition, which runs once per item. */
const QUADRATIC_FUNCTIONS: ReadonlySet<string> = new Set(['distinct values', 'union']);
/** Functions whose value depends on the clock: an expression calling one is never memoized. */
const CLOCK_FUNCTIONS: ReadonlySet<string> = new Set(['now', 'today']);

const REFUSED_SYNTAX: ReadonlyMap<string, string> = new Map(Object.entries({
  ForExpression: '`for` loops are not allowed in a diagram expression',
  QuantifiedExpression: '`some` / `every` are not allowed in a diagram expression',
  FunctionDefinition: 'function definitions are not allowed in a diagram expression',
  Context: 'context literals ({ ... }) are not allowed in a diagram expression',
}));

/** Warnings that only say some data was absent: FEEL's null, not an error (a condition on a missing variable is false). */
const MISSING_DATA = new Set(['NO_VARIABLE_FOUND', 'NO_CONTEXT_ENTRY_FOUND', 'NO_PROPERTY_FOUND']);

/** A FEEL text that passed the checks: what to evaluate and the variables it reads. */
export interface CheckedFeel {
  readonly feel: string;
  /** Names the expression reads (callees excluded, so data never shadows a built-in function). */
  readonly names: readonly string[];
  /** Whether the value depends on the variables alone (no clock): then it may be memoized. */
  readonly pure: boolean;
}

const nameOf = (text: string) => text.replace(/`/g, '').trim().replace(/\s+/g, ' ');

/**
 * Parses FEEL and applies the restrictions above. `offset` maps positions back to the source as written (the length of
 * what precedes the FEEL text, such as `=`); pass undefined when the FEEL text is a translation (positions would mislead).
 */
export function checkFeel(feel: string, offset: number | undefined): CheckedFeel {
  if (feel.trim() === '') throw new ExpressionError('the expression is empty', offset);
  if (feel.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (bracketDepth(feel) > MAX_BRACKET_DEPTH) throw new ExpressionError(`the expression nests brackets deeper than ${MAX_BRACKET_DEPTH} levels`);
  const at = (position: number) => (offset === undefined ? undefined : offset + position);
  const where = (position: number) => (offset === undefined ? '' : ` at position ${offset + position}`);
  const names = new Set<string>();
  const callees = new Set<number>();
  let pure = true;
  /** Where the conditions of enclosing filters start: a filter starting past one is inside a filter's condition. */
  const filterConditions: number[] = [];
  let depth = 0;
  parseExpression(feel, {}, DIALECT).iterate({
    enter(ref) {
      if (ref.type.isError) {
        const near = feel.slice(ref.from, ref.from + 12);
        throw new ExpressionError(near ? `cannot parse${where(ref.from)} (near ${JSON.stringify(near)})` : 'cannot parse: it ends too early', at(ref.from));
      }
      if (++depth > MAX_SYNTAX_DEPTH) throw new ExpressionError(`the expression nests deeper than ${MAX_SYNTAX_DEPTH} levels`);
      const node = ref.node;
      const refused = REFUSED_SYNTAX.get(ref.name);
      if (refused) throw new ExpressionError(`${refused}${where(ref.from)}`, at(ref.from));
      switch (ref.name) {
        case 'SimplePositiveUnaryTest':
          // `a == 1` parses as `a = (= 1)`, a comparison with a unary test that is always null: JUEL's `==` by mistake
          if (node.parent?.name === 'Comparison' && node.prevSibling?.name === 'CompareOp') {
            throw new ExpressionError(`${JSON.stringify(feel.slice(node.prevSibling.from, ref.from + 1))} is not a FEEL operator${where(node.prevSibling.from)}: FEEL compares with a single = (and !=, <, <=, >, >=)`, at(node.prevSibling.from));
          }
          break;
        case 'FunctionInvocation': {
          const callee = node.firstChild;
          const name = callee?.name === 'VariableName' ? nameOf(feel.slice(callee.from, callee.to)) : undefined;
          if (name === undefined) throw new ExpressionError(`only FEEL's built-in functions can be called${where(ref.from)}`, at(ref.from));
          if (!ALLOWED_FUNCTIONS.has(name)) {
            const reason = ['matches', 'replace', 'split'].includes(name) ? 'regular expressions are not allowed in a diagram expression' : 'it is not one of FEEL\'s built-in functions';
            throw new ExpressionError(`cannot call ${JSON.stringify(name)}${where(callee!.from)}: ${reason}`, at(callee!.from));
          }
          if (QUADRATIC_FUNCTIONS.has(name) && filterConditions.some((start) => ref.from >= start)) {
            throw new ExpressionError(`${JSON.stringify(name)} is not allowed inside a filter's condition${where(callee!.from)} (it would run once per item over the whole list)`, at(callee!.from));
          }
          if (CLOCK_FUNCTIONS.has(name)) pure = false;
          callees.add(callee!.from);
          break;
        }
        case 'FilterExpression': {
          const condition = node.firstChild?.nextSibling?.nextSibling;
          const isIndex = condition?.name === 'NumericLiteral' && condition.nextSibling?.name === ']';
          if (!isIndex && filterConditions.some((start) => ref.from >= start)) {
            throw new ExpressionError(`a filter inside a filter's condition is not allowed${where(ref.from)} (its cost is the product of the lists' sizes)`, at(ref.from));
          }
          filterConditions.push(node.firstChild?.to ?? ref.to);
          break;
        }
        case 'VariableName':
          if (!callees.has(ref.from)) names.add(nameOf(feel.slice(ref.from, ref.to)));
          depth--; // its parts are not visited, and lezer calls no leave for it
          return false;
      }
      return undefined;
    },
    leave(ref) {
      depth--;
      if (ref.name === 'FilterExpression') filterConditions.pop();
    },
  });
  return { feel, names: [...names], pure };
}

/** The deepest nesting of (), [] and {} outside string literals: checked before feelin parses (the cost is there). */
function bracketDepth(feel: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (let i = 0; i < feel.length; i++) {
    const ch = feel[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === '(' || ch === '[' || ch === '{') {
      deepest = Math.max(deepest, ++depth);
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
    }
  }
  return deepest;
}

/**
 * feelin parses and interprets an expression on every call (~0.5 ms for `a = "x"` on this machine, more than the rest of
 * a gateway), and a condition meets the same few values again and again: values of pure expressions are memoized per
 * expression and data (bounded; only scalar values, which no caller can mutate).
 */
const MEMO_LIMIT = 2_000;
const MEMO_KEY_LIMIT = 2_000;
const memo = new Map<string, unknown>();

/**
 * Evaluates checked FEEL over the variables. Returns plain data (FEEL dates and durations as their ISO text); throws
 * ExpressionError for a type error or data beyond DATA_LIMITS.
 */
export function evaluateFeel(checked: CheckedFeel, variables: Record<string, unknown>): unknown {
  const context = dataFor(checked.names, variables);
  const key = checked.pure ? `${checked.feel}\u0000${JSON.stringify(context)}` : undefined;
  if (key !== undefined && key.length <= MEMO_KEY_LIMIT && memo.has(key)) return memo.get(key);
  const value = interpret(checked.feel, context);
  if (key !== undefined && key.length <= MEMO_KEY_LIMIT && (value === null || typeof value !== 'object')) {
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(key, value);
  }
  return value;
}

function interpret(feel: string, context: Record<string, unknown>): unknown {
  let outcome: ReturnType<typeof evaluate>;
  try {
    outcome = evaluate(feel, context, DIALECT);
  } catch (error) {
    // a RangeError (stack, string length) or a parse failure of the names the data brings
    throw new ExpressionError(`cannot be evaluated: ${error instanceof Error ? error.message : String(error)}`);
  }
  const typeError = outcome.warnings.find((warning) => !MISSING_DATA.has(warning.type) && !Object.values(warning.details.values).some((value) => value === null || value === undefined));
  if (typeError) throw new ExpressionError(`cannot be evaluated: ${typeError.message}`);
  return plain(outcome.value);
}

/** FEEL values back to plain data: temporal values as ISO text; ranges and functions are not data. */
function plain(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return null;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (Object.getPrototypeOf(value) === Object.prototype) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  const temporal = value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDateTime || value instanceof FeelDuration;
  return temporal ? value.toString() : null;
}

const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The variables an expression names, as JSON would store them (what the next step reads back from the database): plain
 * objects and arrays, strings, finite numbers, booleans, null; a Date as its ISO text; nothing else (functions, class
 * instances, symbols, bigints are left out). Never a key that reaches a prototype. Bounded by DATA_LIMITS.
 */
function dataFor(names: readonly string[], variables: Record<string, unknown>): Record<string, unknown> {
  const budget = { values: DATA_LIMITS.values, characters: DATA_LIMITS.characters };
  const tooLarge = (what: string) =>
    new ExpressionError(`the variables this expression reads are too large (more than ${what}): keep large data out of process variables`);
  const copy = (value: unknown, depth: number): unknown => {
    if (--budget.values < 0) throw tooLarge(`${DATA_LIMITS.values} values`);
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'string') {
      if ((budget.characters -= value.length) < 0) throw tooLarge(`${DATA_LIMITS.characters} characters`);
      return value;
    }
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (typeof value !== 'object') return undefined;
    if (depth >= DATA_LIMITS.depth) throw tooLarge(`${DATA_LIMITS.depth} levels of nesting`);
    if (Array.isArray(value)) return value.map((item) => copy(item, depth + 1) ?? null);
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return undefined;
    const result: Record<string, unknown> = {};
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      // data properties only: reading a getter would run code
      if (UNSAFE_KEYS.has(key) || !descriptor.enumerable || !('value' in descriptor)) continue;
      if ((budget.characters -= key.length) < 0) throw tooLarge(`${DATA_LIMITS.characters} characters`);
      const entry = copy(descriptor.value, depth + 1);
      if (entry !== undefined) result[key] = entry;
    }
    return result;
  };
  const context: Record<string, unknown> = {};
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(variables, name);
    if (UNSAFE_KEYS.has(name) || !descriptor || !('value' in descriptor)) continue;
    const value = copy(descriptor.value, 0);
    if (value !== undefined) context[name] = value;
  }
  return context;
}
