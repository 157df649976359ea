/**
 * A small, safe expression language for BPMN sequence-flow conditions.
 *
 * Expressions are parsed once with jsep into an AST, validated and converted
 * into a restricted internal tree, and evaluated by walking that tree.
 * Nothing is ever handed to eval, `new Function` or node:vm.
 *
 * Supported:
 *   literals      1, 2.5, 'text', "text", true, false, null, [a, b, 'c']
 *   variables     amount, order.customer.tier, items[0], order["line items"]
 *                 (optional `variables.`, `environment.variables.` and
 *                 `environment.output.` prefixes address the same root)
 *   operators     == != === !== < <= > >=  + - * / %  unary - + !
 *                 && || and or not   a ? b : c
 *                 `=` is equality, as in FEEL (`=reviewOutcome = "approved"`); it means
 *                 the same as `==` and never assigns
 *   helpers       contains startsWith endsWith lower upper length number
 *                 string abs min max round now date daysBetween isEmpty oneOf
 *
 * Property reads only ever see OWN properties; `__proto__`, `constructor`
 * and `prototype` are never resolvable, and functions found in the data are
 * never exposed. The only callable things are the helpers above, called by
 * plain name.
 */
import jsep from 'jsep';

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export class ExpressionError extends Error {
  /** Character offset in the source string given by the caller (parse errors only). */
  readonly position?: number;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'ExpressionError';
    if (position !== undefined) {
      this.position = position;
    }
  }
}

export interface CompiledExpression {
  /** The source exactly as it was passed to parseExpression. */
  readonly source: string;
  evaluate(variables: Record<string, unknown>): unknown;
}

/** Upper bound on the length of an expression (after unwrapping). */
const MAX_SOURCE_LENGTH = 10_000;
/** Upper bound on the number of compiled expressions kept by evaluateCondition. */
const CACHE_LIMIT = 500;

/**
 * Strips the wrappers diagrams put around a condition:
 *  - Camunda 7 / bpmn-engine style `${ ... }` when it wraps the whole string;
 *  - Camunda 8 FEEL style leading `=` (as in `=orderValue >= 100`).
 * Surrounding whitespace is trimmed.
 */
export function normaliseExpressionSource(raw: string): string {
  return unwrap(raw).text;
}

/**
 * Parses (and validates) an expression once; the result can be evaluated any
 * number of times. Throws ExpressionError for syntax errors and for syntax the
 * language does not allow.
 */
export function parseExpression(source: string): CompiledExpression {
  if (typeof source !== 'string') {
    throw new ExpressionError('Expression source must be a string');
  }
  const { text, offset } = unwrap(source);
  if (text.length === 0) {
    throw new ExpressionError(`Empty expression ${JSON.stringify(source)}`, offset);
  }
  if (text.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(`Expression is longer than ${MAX_SOURCE_LENGTH} characters`);
  }

  let ast: jsep.Expression;
  try {
    ast = jsep(text);
  } catch (err) {
    if (err instanceof Error) {
      const detail = err as Error & { index?: unknown; description?: unknown };
      const index = typeof detail.index === 'number' ? detail.index : undefined;
      const description = typeof detail.description === 'string' ? detail.description : err.message;
      const position = index === undefined ? undefined : offset + index;
      const where = position === undefined ? '' : ` at position ${position}`;
      throw new ExpressionError(
        `Cannot parse expression ${JSON.stringify(source)}: ${description}${where}`,
        position,
      );
    }
    throw new ExpressionError(`Cannot parse expression ${JSON.stringify(source)}`);
  }

  const root = compile(ast, source);
  return Object.freeze({
    source,
    evaluate(variables: Record<string, unknown>): unknown {
      const scope: unknown = variables ?? {};
      return evaluateNode(root, scope);
    },
  });
}

/**
 * Evaluates a condition and returns the truthiness of its result. Compiled
 * expressions are cached (bounded, least-recently-used eviction).
 */
export function evaluateCondition(source: string, variables: Record<string, unknown>): boolean {
  return isTruthy(getCompiled(source).evaluate(variables));
}

/** Evaluates an expression (wrapped or not) and returns its value; compiled expressions are cached as above. */
export function evaluateExpression(source: string, variables: Record<string, unknown>): unknown {
  return getCompiled(source).evaluate(variables);
}

// ---------------------------------------------------------------------------
// jsep configuration (runs once, at module load)
// ---------------------------------------------------------------------------

function registerWordOperators(): void {
  // Precedences must mirror jsep's own logical operators ('||' is 1, '&&' is 2)
  // so that `a or b and c` parses as `a or (b and c)` and the words mix
  // correctly with `||`/`&&`. (jsep treats precedence 0 as "not an operator",
  // and the ternary plugin treats anything <= 0.9 as assignment level.)
  // Registration is idempotent; the checks just avoid redundant work.
  if (jsep.binary_ops['or'] !== 1) {
    jsep.addBinaryOp('or', 1);
  }
  if (jsep.binary_ops['and'] !== 2) {
    jsep.addBinaryOp('and', 2);
  }
  if (!Object.prototype.hasOwnProperty.call(jsep.unary_ops, 'not')) {
    jsep.addUnaryOp('not');
  }
  // FEEL equality (Camunda 8 conditions: `=status = "paid"`), at the precedence of `==`; jsep matches
  // the longest operator first, so `==`, `===`, `<=`, `>=` and `!=` are unaffected. Compiled as `==`.
  if (jsep.binary_ops['='] !== jsep.binary_ops['==']) {
    jsep.addBinaryOp('=', jsep.binary_ops['=='] ?? 6);
  }
}

registerWordOperators();

// ---------------------------------------------------------------------------
// Source unwrapping
// ---------------------------------------------------------------------------

interface Unwrapped {
  text: string;
  /** Offset of text[0] within the original string. */
  offset: number;
}

function trimWithOffset(text: string, offset: number): Unwrapped {
  const start = text.length - text.trimStart().length;
  return { text: text.trim(), offset: offset + start };
}

function unwrap(raw: string): Unwrapped {
  let current = trimWithOffset(raw, 0);
  if (wrapsWholeString(current.text)) {
    current = trimWithOffset(current.text.slice(2, -1), current.offset + 2);
  }
  if (current.text.startsWith('=') && !current.text.startsWith('==')) {
    current = trimWithOffset(current.text.slice(1), current.offset + 1);
  }
  return current;
}

/** True when text is `${ ... }` with the first `{` matched by the final `}`. */
function wrapsWholeString(text: string): boolean {
  if (!text.startsWith('${') || !text.endsWith('}')) {
    return false;
  }
  let depth = 0;
  let quote: string | null = null;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      if (ch === '\\') {
        i++;
      } else if (ch === quote) {
        quote = null;
      }
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) {
        return i === text.length - 1;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Compiled tree
// ---------------------------------------------------------------------------

type BinaryOperator =
  | '=='
  | '!='
  | '==='
  | '!=='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

type Node =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'root' }
  | { kind: 'variable'; name: string }
  | { kind: 'member'; object: Node; property: Node }
  | { kind: 'array'; elements: Node[] }
  | { kind: 'unary'; operator: '-' | '+' | '!'; argument: Node }
  | { kind: 'binary'; operator: BinaryOperator; left: Node; right: Node }
  | { kind: 'logical'; operator: '&&' | '||'; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; consequent: Node; alternate: Node }
  | { kind: 'call'; name: HelperName; args: Node[] };

const BINARY_OPERATORS: ReadonlySet<string> = new Set<BinaryOperator>([
  '==',
  '!=',
  '===',
  '!==',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
]);

const LOGICAL_OPERATORS: ReadonlyMap<string, '&&' | '||'> = new Map([
  ['&&', '&&'],
  ['and', '&&'],
  ['||', '||'],
  ['or', '||'],
]);

const UNARY_OPERATORS: ReadonlyMap<string, '-' | '+' | '!'> = new Map([
  ['-', '-'],
  ['+', '+'],
  ['!', '!'],
  ['not', '!'],
]);

/** Identifiers that stand for the variables object itself. */
const ROOT_ALIASES: ReadonlySet<string> = new Set(['variables']);
/** `environment.<x>` members that stand for the variables object itself. */
const ENVIRONMENT_ROOT_MEMBERS: ReadonlySet<string> = new Set(['variables', 'output']);

function fail(source: string, message: string): never {
  throw new ExpressionError(`Invalid expression ${JSON.stringify(source)}: ${message}`);
}

function isIdentifier(node: jsep.Expression): node is jsep.Identifier {
  return node.type === 'Identifier' && typeof node.name === 'string';
}

function compile(node: jsep.Expression, source: string): Node {
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (
        value === null ||
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean'
      ) {
        return { kind: 'literal', value };
      }
      return fail(source, 'unsupported literal');
    }

    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (ROOT_ALIASES.has(name)) {
        return { kind: 'root' };
      }
      return { kind: 'variable', name };
    }

    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      if (
        !member.computed &&
        isIdentifier(member.object) &&
        member.object.name === 'environment' &&
        isIdentifier(member.property) &&
        ENVIRONMENT_ROOT_MEMBERS.has(member.property.name)
      ) {
        return { kind: 'root' };
      }
      const object = compile(member.object, source);
      let property: Node;
      if (member.computed) {
        property = compile(member.property, source);
      } else if (isIdentifier(member.property)) {
        property = { kind: 'literal', value: member.property.name };
      } else {
        return fail(source, 'unsupported property access');
      }
      return { kind: 'member', object, property };
    }

    case 'ArrayExpression': {
      const elements = (node as jsep.ArrayExpression).elements;
      return {
        kind: 'array',
        elements: elements.map((element) => {
          if (element === null) {
            return fail(source, 'array literals may not contain holes');
          }
          return compile(element, source);
        }),
      };
    }

    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      const operator = UNARY_OPERATORS.get(unary.operator);
      if (operator === undefined) {
        return fail(source, `operator ${JSON.stringify(unary.operator)} is not allowed`);
      }
      return { kind: 'unary', operator, argument: compile(unary.argument, source) };
    }

    case 'BinaryExpression': {
      const binary = node as jsep.BinaryExpression;
      const logical = LOGICAL_OPERATORS.get(binary.operator);
      if (logical !== undefined) {
        return {
          kind: 'logical',
          operator: logical,
          left: compile(binary.left, source),
          right: compile(binary.right, source),
        };
      }
      // FEEL's `=` is equality
      const operatorName = binary.operator === '=' ? '==' : binary.operator;
      if (!BINARY_OPERATORS.has(operatorName)) {
        return fail(source, `operator ${JSON.stringify(binary.operator)} is not allowed`);
      }
      return {
        kind: 'binary',
        operator: operatorName as BinaryOperator,
        left: compile(binary.left, source),
        right: compile(binary.right, source),
      };
    }

    case 'ConditionalExpression': {
      const conditional = node as jsep.ConditionalExpression;
      return {
        kind: 'conditional',
        test: compile(conditional.test, source),
        consequent: compile(conditional.consequent, source),
        alternate: compile(conditional.alternate, source),
      };
    }

    case 'CallExpression': {
      const call = node as jsep.CallExpression;
      if (!isIdentifier(call.callee)) {
        return fail(source, 'only helper functions called by plain name are allowed (no method calls)');
      }
      const name = call.callee.name;
      const helper = lookupHelper(name);
      if (helper === undefined) {
        return fail(source, `unknown function ${JSON.stringify(name)}`);
      }
      const count = call.arguments.length;
      if (count < helper.minArgs || count > helper.maxArgs) {
        const expected =
          helper.minArgs === helper.maxArgs
            ? `${helper.minArgs}`
            : helper.maxArgs === Infinity
              ? `at least ${helper.minArgs}`
              : `${helper.minArgs} to ${helper.maxArgs}`;
        return fail(source, `${name}() expects ${expected} argument(s), got ${count}`);
      }
      return {
        kind: 'call',
        name: name as HelperName,
        args: call.arguments.map((arg) => compile(arg, source)),
      };
    }

    case 'Compound':
      return fail(source, 'multiple expressions are not allowed (check for `;`, `,` or a missing operator)');
    case 'SequenceExpression':
      return fail(source, 'comma-separated sequences are not allowed');
    case 'ThisExpression':
      return fail(source, '`this` is not allowed');
    default:
      return fail(source, `syntax ${JSON.stringify(node.type)} is not allowed`);
  }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

const BLOCKED_PROPERTIES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const hasOwn = (target: object, key: PropertyKey): boolean =>
  Object.prototype.hasOwnProperty.call(target, key);

/** Reads an own, non-function property; anything else is undefined. */
function readProperty(target: unknown, key: unknown): unknown {
  if (target === null || target === undefined) {
    return undefined;
  }
  if (typeof target !== 'object' && typeof target !== 'string') {
    return undefined;
  }
  let name: string;
  if (typeof key === 'string') {
    name = key;
  } else if (typeof key === 'number' && Number.isInteger(key) && key >= 0) {
    name = String(key);
  } else {
    return undefined;
  }
  if (BLOCKED_PROPERTIES.has(name)) {
    return undefined;
  }
  if (typeof target === 'string') {
    // Own properties of a string primitive: its indices and `length`.
    return hasOwn(Object(target) as object, name) ? (target as unknown as Record<string, unknown>)[name] : undefined;
  }
  if (!hasOwn(target, name)) {
    return undefined;
  }
  const value = (target as Record<string, unknown>)[name];
  return typeof value === 'function' ? undefined : value;
}

function evaluateNode(node: Node, scope: unknown): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'root':
      return scope;
    case 'variable':
      return readProperty(scope, node.name);
    case 'member':
      return readProperty(evaluateNode(node.object, scope), evaluateNode(node.property, scope));
    case 'array':
      return node.elements.map((element) => evaluateNode(element, scope));
    case 'unary': {
      const value = evaluateNode(node.argument, scope);
      switch (node.operator) {
        case '!':
          return !isTruthy(value);
        case '-':
          return -toNumber(value);
        case '+':
          return toNumber(value);
      }
      break;
    }
    case 'logical': {
      const left = evaluateNode(node.left, scope);
      if (node.operator === '&&') {
        return isTruthy(left) ? evaluateNode(node.right, scope) : left;
      }
      return isTruthy(left) ? left : evaluateNode(node.right, scope);
    }
    case 'conditional':
      return isTruthy(evaluateNode(node.test, scope))
        ? evaluateNode(node.consequent, scope)
        : evaluateNode(node.alternate, scope);
    case 'binary':
      return applyBinary(node.operator, evaluateNode(node.left, scope), evaluateNode(node.right, scope));
    case 'call': {
      const helper = lookupHelper(node.name);
      if (helper === undefined || typeof helper.fn !== 'function') {
        throw new ExpressionError(`${JSON.stringify(node.name)} is not a function`);
      }
      return helper.fn(...node.args.map((arg) => evaluateNode(arg, scope)));
    }
  }
  throw new ExpressionError('Unsupported expression node');
}

function applyBinary(operator: BinaryOperator, left: unknown, right: unknown): unknown {
  switch (operator) {
    case '==':
      return looseEquals(left, right);
    case '!=':
      return !looseEquals(left, right);
    case '===':
      return strictEquals(left, right);
    case '!==':
      return !strictEquals(left, right);
    case '<':
      return compare(left, right, (c) => c < 0);
    case '<=':
      return compare(left, right, (c) => c <= 0);
    case '>':
      return compare(left, right, (c) => c > 0);
    case '>=':
      return compare(left, right, (c) => c >= 0);
    case '+':
      if (typeof left === 'string' || typeof right === 'string') {
        return toText(left) + toText(right);
      }
      return toNumber(left) + toNumber(right);
    case '-':
      return toNumber(left) - toNumber(right);
    case '*':
      return toNumber(left) * toNumber(right);
    case '/':
      return toNumber(left) / toNumber(right);
    case '%':
      return toNumber(left) % toNumber(right);
  }
}

// ---------------------------------------------------------------------------
// Value semantics
// ---------------------------------------------------------------------------

function isTruthy(value: unknown): boolean {
  return Boolean(value);
}

/** Strict numeric parse of a string: trimmed, non-empty, finite or not, else NaN. */
function numericString(value: string): number {
  const trimmed = value.trim();
  return trimmed === '' ? NaN : Number(trimmed);
}

/** Numbers stay numbers, numeric strings become numbers; everything else is NaN. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string') {
    return numericString(value);
  }
  return NaN;
}

function toText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  }
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function strictEquals(left: unknown, right: unknown): boolean {
  if (left instanceof Date && right instanceof Date) {
    return left.getTime() === right.getTime();
  }
  return left === right;
}

/**
 * `==`: null and undefined are equal to each other; a number equals a numeric
 * string with the same value ("129.00" == 129); otherwise strict equality.
 */
function looseEquals(left: unknown, right: unknown): boolean {
  if ((left === null || left === undefined) && (right === null || right === undefined)) {
    return true;
  }
  if (typeof left === 'number' && typeof right === 'string') {
    return left === numericString(right);
  }
  if (typeof left === 'string' && typeof right === 'number') {
    return numericString(left) === right;
  }
  return strictEquals(left, right);
}

/**
 * Ordering: number/number numerically, string/string lexicographically, a
 * numeric string against a number numerically, Date/Date by time. Anything
 * else (null, undefined, booleans, NaN, objects) is not comparable: false.
 */
function compare(left: unknown, right: unknown, test: (c: number) => boolean): boolean {
  if (typeof left === 'string' && typeof right === 'string') {
    return test(left < right ? -1 : left > right ? 1 : 0);
  }
  let a: number;
  let b: number;
  if (left instanceof Date && right instanceof Date) {
    a = left.getTime();
    b = right.getTime();
  } else if (
    (typeof left === 'number' && (typeof right === 'number' || typeof right === 'string')) ||
    (typeof left === 'string' && typeof right === 'number')
  ) {
    a = toNumber(left);
    b = toNumber(right);
  } else {
    return false;
  }
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return false;
  }
  return test(a < b ? -1 : a > b ? 1 : 0);
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

interface Helper {
  minArgs: number;
  maxArgs: number;
  fn: (...args: unknown[]) => unknown;
}

const MS_PER_DAY = 86_400_000;

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  const n = toNumber(value);
  return Number.isNaN(n) ? null : n;
}

function toEpochMs(value: unknown): number | null {
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string' && value.trim() !== '') {
    ms = Date.parse(value.trim());
  } else {
    return null;
  }
  return Number.isFinite(ms) ? ms : null;
}

function numericArguments(args: unknown[]): number[] | null {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const numbers: number[] = [];
  for (const item of flat) {
    const n = numberOrNull(item);
    if (n === null || typeof item === 'boolean') {
      return null;
    }
    numbers.push(n);
  }
  return numbers.length > 0 ? numbers : null;
}

function roundTo(value: number, digits: number): number {
  const sign = value < 0 ? -1 : 1;
  const shifted = Number(`${Math.abs(value)}e${digits}`);
  return sign * Number(`${Math.round(shifted)}e${-digits}`);
}

const HELPERS: ReadonlyMap<string, Helper> = new Map(
  Object.entries({
    contains: {
      minArgs: 2,
      maxArgs: 2,
      fn: (haystack: unknown, needle: unknown): boolean => {
        if (typeof haystack === 'string') {
          return needle === null || needle === undefined ? false : haystack.includes(toText(needle));
        }
        if (Array.isArray(haystack)) {
          return haystack.some((item) => looseEquals(item, needle));
        }
        return false;
      },
    },
    startsWith: {
      minArgs: 2,
      maxArgs: 2,
      fn: (text: unknown, prefix: unknown): boolean =>
        typeof text === 'string' && prefix !== null && prefix !== undefined && text.startsWith(toText(prefix)),
    },
    endsWith: {
      minArgs: 2,
      maxArgs: 2,
      fn: (text: unknown, suffix: unknown): boolean =>
        typeof text === 'string' && suffix !== null && suffix !== undefined && text.endsWith(toText(suffix)),
    },
    lower: {
      minArgs: 1,
      maxArgs: 1,
      fn: (text: unknown): string | null => (typeof text === 'string' ? text.toLowerCase() : null),
    },
    upper: {
      minArgs: 1,
      maxArgs: 1,
      fn: (text: unknown): string | null => (typeof text === 'string' ? text.toUpperCase() : null),
    },
    length: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): number | null =>
        typeof value === 'string' || Array.isArray(value) ? value.length : null,
    },
    number: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): number | null => numberOrNull(value),
    },
    string: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): string => toText(value),
    },
    abs: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): number | null => {
        const n = typeof value === 'boolean' ? null : numberOrNull(value);
        return n === null ? null : Math.abs(n);
      },
    },
    min: {
      minArgs: 1,
      maxArgs: Infinity,
      fn: (...args: unknown[]): number | null => {
        const numbers = numericArguments(args);
        return numbers === null ? null : Math.min(...numbers);
      },
    },
    max: {
      minArgs: 1,
      maxArgs: Infinity,
      fn: (...args: unknown[]): number | null => {
        const numbers = numericArguments(args);
        return numbers === null ? null : Math.max(...numbers);
      },
    },
    round: {
      minArgs: 1,
      maxArgs: 2,
      fn: (value: unknown, digits?: unknown): number | null => {
        const n = typeof value === 'boolean' ? null : numberOrNull(value);
        if (n === null || !Number.isFinite(n)) {
          return n;
        }
        const d = digits === undefined ? 0 : toNumber(digits);
        if (!Number.isInteger(d) || d < -15 || d > 15) {
          return null;
        }
        return roundTo(n, d);
      },
    },
    now: {
      minArgs: 0,
      maxArgs: 0,
      fn: (): string => new Date().toISOString(),
    },
    date: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): number | null => toEpochMs(value),
    },
    daysBetween: {
      minArgs: 2,
      maxArgs: 2,
      fn: (from: unknown, to: unknown): number | null => {
        const a = toEpochMs(from);
        const b = toEpochMs(to);
        if (a === null || b === null) {
          return null;
        }
        return Math.trunc((b - a) / MS_PER_DAY) + 0; // + 0 turns -0 into 0
      },
    },
    isEmpty: {
      minArgs: 1,
      maxArgs: 1,
      fn: (value: unknown): boolean =>
        value === null ||
        value === undefined ||
        value === '' ||
        (Array.isArray(value) && value.length === 0),
    },
    oneOf: {
      minArgs: 2,
      maxArgs: 2,
      fn: (value: unknown, options: unknown): boolean =>
        Array.isArray(options) && options.some((option) => looseEquals(value, option)),
    },
  } satisfies Record<string, Helper>),
);

type HelperName = string & { readonly __helper: unique symbol };

function lookupHelper(name: string): Helper | undefined {
  return HELPERS.get(name);
}

// ---------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------

const cache = new Map<string, CompiledExpression>();

function getCompiled(source: string): CompiledExpression {
  const cached = cache.get(source);
  if (cached !== undefined) {
    // Refresh recency: Map iteration order is insertion order.
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  const compiled = parseExpression(source);
  cache.set(source, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) {
      cache.delete(oldest.value);
    }
  }
  return compiled;
}
