/**
 * `${...}` conditions (JUEL, as Camunda 7 diagrams and bpmn-engine write them) translated to FEEL, which feel.ts then
 * checks and evaluates: no second evaluator. Covered: literals ('text', "text", numbers, true, false, null, [a, b]),
 * names and paths (a.b, a['b'], a[0], with the `variables.` / `environment.variables.` / `environment.output.` roots
 * bpmn-engine diagrams use, and `execution.getVariable('a')`), == != === !== eq ne < <= > >= lt le gt ge, && || and or,
 * ! not, empty, + - * / div % mod, unary -, a ? b : c, the Java methods Camunda 7 conditions call most (METHODS), and
 * what the language this one replaced read (`=` as `==`, `.length`, its helper functions: HELPERS). Semantics are
 * FEEL's (`"1" == 1` is not true, `"a" + 1` is an error), except that `!`, `not` and `empty` keep JUEL's reading of
 * null (`!missing` and `empty missing` are true).
 */
import { ExpressionError, MAX_EXPRESSION_LENGTH } from './feel';

type Token =
  | { kind: 'number' | 'string' | 'name' | 'operator'; text: string; value: string; at: number }
  | { kind: 'end'; text: ''; value: ''; at: number };

/** Longest first. A single `=` compares, as `==` (the replaced language read it so; it never assigns). */
const OPERATORS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '=', '+', '-', '*', '/', '%', '?', ':', '(', ')', '[', ']', '.', ','];
const WORD_OPERATORS: ReadonlyMap<string, string> = new Map(Object.entries({
  eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=', and: '&&', or: '||', not: '!', div: '/', mod: '%',
}));
const FEEL_OPERATORS: ReadonlyMap<string, string> = new Map(Object.entries({
  '==': '=', '===': '=', '=': '=', '!=': '!=', '!==': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '&&': 'and', '||': 'or', '+': '+', '-': '-', '*': '*', '/': '/',
}));
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!=', '===', '!==', '='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];
const MAX_NESTING = 64;
/** The translation may repeat an operand (empty, contains, length): checking as it grows keeps nested repeats bounded. */
const MAX_TRANSLATION_LENGTH = MAX_EXPRESSION_LENGTH;

type Helper = { arity: [number, number]; feel: (args: string[]) => string };

const isEmpty = (x: string) =>
  `(if ${x} = null then true else if ${x} instance of string then ${x} = "" else if ${x} instance of list then count(${x}) = 0 else if ${x} instance of context then count(get entries(${x})) = 0 else false)`;

const lengthOf = (x: string) => `(if ${x} instance of list then count(${x}) else if ${x} instance of string then string length(${x}) else (${x}).length)`;

/** Helper functions of the replaced language, as FEEL (arity: [min, max]). `date()` and `daysBetween()` have no counterpart kept. */
const HELPERS: ReadonlyMap<string, Helper> = new Map(Object.entries({
  contains: { arity: [2, 2], feel: ([a, b]) => `(if ${a} instance of list then list contains(${a}, ${b}) else contains(${a}, ${b}))` },
  startsWith: { arity: [2, 2], feel: ([a, b]) => `starts with(${a}, ${b})` },
  endsWith: { arity: [2, 2], feel: ([a, b]) => `ends with(${a}, ${b})` },
  lower: { arity: [1, 1], feel: ([a]) => `lower case(${a})` },
  upper: { arity: [1, 1], feel: ([a]) => `upper case(${a})` },
  length: { arity: [1, 1], feel: ([a]) => lengthOf(a!) },
  number: { arity: [1, 1], feel: ([a]) => `number(${a})` },
  string: { arity: [1, 1], feel: ([a]) => `string(${a})` },
  abs: { arity: [1, 1], feel: ([a]) => `abs(${a})` },
  min: { arity: [1, Infinity], feel: (args) => `min(${args.join(', ')})` },
  max: { arity: [1, Infinity], feel: (args) => `max(${args.join(', ')})` },
  round: { arity: [1, 2], feel: ([a, digits]) => `round half up(${a}, ${digits ?? '0'})` },
  now: { arity: [0, 0], feel: () => 'now()' },
  isEmpty: { arity: [1, 1], feel: ([a]) => isEmpty(a!) },
  oneOf: { arity: [2, 2], feel: ([value, options]) => `list contains(${options}, ${value})` },
} satisfies Record<string, Helper>));

/** The Java methods Camunda 7 conditions call most (`${list.size() > 0}`, `${status.equals('paid')}`), as FEEL; the receiver comes first. */
const METHODS: ReadonlyMap<string, Helper> = new Map(Object.entries({
  size: { arity: [1, 1], feel: ([a]) => lengthOf(a!) },
  length: { arity: [1, 1], feel: ([a]) => lengthOf(a!) },
  isEmpty: { arity: [1, 1], feel: ([a]) => isEmpty(a!) },
  equals: { arity: [2, 2], feel: ([a, b]) => `(${a} = ${b})` },
  contains: HELPERS.get('contains')!,
  startsWith: HELPERS.get('startsWith')!,
  endsWith: HELPERS.get('endsWith')!,
  toLowerCase: HELPERS.get('lower')!,
  toUpperCase: HELPERS.get('upper')!,
} satisfies Record<string, Helper>));

/** A FEEL name in backticks, so that no variable name collides with a FEEL keyword (`in`, `for`, `date`, ...). */
const feelName = (name: string) => `\`${name}\``;
const feelString = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;

/**
 * Translates the body of a `${...}` expression to FEEL. `offset` is where the body starts in the source as written, so
 * that errors point at the right character.
 */
export function juelToFeel(body: string, offset: number): string {
  if (body.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(body, offset);
  let index = 0;
  let nesting = 0;
  const peek = () => tokens[index]!;
  const next = () => tokens[index++]!;
  const fail = (message: string, token: Token = peek()): never => {
    throw new ExpressionError(`${message} at position ${token.at}`, token.at);
  };
  const isOperator = (value: string) => peek().kind === 'operator' && peek().value === value;
  const expect = (value: string, context: string) => {
    if (!isOperator(value)) fail(`expected "${value}" ${context}, found ${describe(peek())}`);
    next();
  };
  const bounded = (feel: string) => {
    if (feel.length > MAX_TRANSLATION_LENGTH) throw new ExpressionError(`the expression is too large once translated to FEEL (over ${MAX_TRANSLATION_LENGTH} characters)`);
    return feel;
  };
  const deeper = <T>(parse: () => T): T => {
    if (++nesting > MAX_NESTING) fail(`the expression nests deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      nesting--;
    }
  };

  const ternary = (): string =>
    deeper(() => {
      const test = binary(0);
      if (!isOperator('?')) return test;
      next();
      const then = ternary();
      expect(':', 'in a ? b : c');
      return bounded(`(if ${test} then ${then} else ${ternary()})`);
    });

  const binary = (level: number): string => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek().kind === 'operator' && LEVELS[level]!.includes(peek().value)) {
      const operator = next().value;
      const right = binary(level + 1);
      left = bounded(operator === '%' ? `modulo(${left}, ${right})` : `(${left} ${FEEL_OPERATORS.get(operator)} ${right})`);
    }
    return left;
  };

  const unary = (): string =>
    deeper(() => {
      const token = peek();
      if (token.kind === 'operator' && (token.value === '!' || token.value === '-')) {
        next();
        const operand = unary();
        // JUEL reads null as false: `!missing` is true (FEEL's not(null) would be null)
        return token.value === '!' ? `(not(${operand} = true))` : `(-${operand})`;
      }
      if (token.kind === 'name' && token.value === 'empty') {
        next();
        return bounded(isEmpty(unary()));
      }
      if (token.kind === 'operator' && token.value === '+') fail('unary + is not supported (use number(...))');
      return postfix();
    });

  const postfix = (): string => {
    const start = peek();
    let feel: string;
    let isPath = false;
    if (start.kind === 'name' && !isLiteralWord(start.value)) {
      next();
      [feel, isPath] = named(start);
    } else {
      feel = primary();
    }
    for (;;) {
      if (isOperator('.')) {
        next();
        const member = next();
        if (member.kind !== 'name') fail(`expected a property name after ".", found ${describe(member)}`, member);
        const receiver = isPath ? feel : `(${feel})`;
        if (isOperator('(')) {
          const method = METHODS.get(member.value);
          if (!method) fail(`the method .${member.value}(...) is not supported in \${...}: write the condition in FEEL (=...)`, member);
          feel = call(member, method!, [receiver]);
          isPath = false;
        } else if (member.value === 'length') {
          feel = bounded(lengthOf(receiver)); // the replaced language read `.length` of lists and strings
          isPath = false;
        } else {
          feel = `${receiver}.${feelName(member.value)}`;
          isPath = true;
        }
      } else if (isOperator('[')) {
        const base = isPath ? feel : `(${feel})`;
        next();
        const keyAt = index;
        const key = peek();
        const keyFeel = ternary();
        const single = index === keyAt + 1;
        expect(']', 'after an index');
        if (single && key.kind === 'number' && /^\d+$/.test(key.value)) {
          feel = `${base}[${Number(key.value) + 1}]`; // JUEL counts from 0, FEEL from 1
          isPath = true;
        } else {
          feel = bounded(single && key.kind === 'string' ? `get value(${base}, ${keyFeel})` : `(if ${keyFeel} instance of number then ${base}[${keyFeel} + 1] else get value(${base}, ${keyFeel}))`);
          isPath = false;
        }
      } else if (isOperator('(')) {
        fail('only the helper functions can be called');
      } else {
        return feel;
      }
    }
  };

  /**
   * A name and what it stands for, and whether it is a path: `variables`, `environment.variables` and
   * `environment.output` are the variables themselves (so `variables.amount` is amount), `execution.getVariable('x')` is x,
   * `helper(...)` a helper call, anything else a variable.
   */
  const named = (name: Token): [string, boolean] => {
    const member = tokens[index + 1];
    if (name.value === 'environment' && isOperator('.') && member?.kind === 'name' && (member.value === 'variables' || member.value === 'output')) {
      index += 2;
      return [variableOfRoot(`environment.${member.value}`), true];
    }
    if (name.value === 'variables') return [variableOfRoot('variables'), true];
    if (name.value === 'execution' && isOperator('.') && member?.kind === 'name' && member.value === 'getVariable') {
      index += 2;
      expect('(', 'after execution.getVariable');
      const variable = next();
      if (variable.kind !== 'string') fail('execution.getVariable takes the variable name as a quoted string', variable);
      expect(')', 'after the variable name');
      return [feelName(variable.value), true];
    }
    if (!isOperator('(')) return [feelName(name.value), true];
    const helper = HELPERS.get(name.value);
    if (helper) return [call(name, helper, []), false];
    const hint = name.value === 'date' || name.value === 'daysBetween' ? ': write the condition in FEEL, e.g. =date(placedAt) < today()' : '';
    return fail(`unknown function "${name.value}"${hint}`, name);
  };

  const variableOfRoot = (root: string): string => {
    if (isOperator('.')) {
      next();
      const variable = next();
      if (variable.kind !== 'name') fail(`expected a variable name after "${root}.", found ${describe(variable)}`, variable);
      return feelName(variable.value);
    }
    if (isOperator('[') && tokens[index + 1]?.kind === 'string' && tokens[index + 2]?.value === ']') {
      const variable = tokens[index + 1]!;
      index += 3;
      return feelName(variable.value);
    }
    return fail(`"${root}" stands for the variables themselves: name one (${root}.amount)`);
  };

  /** A helper or method call: its arguments (after those given, such as a method's receiver) and arity checked. */
  const call = (name: Token, helper: Helper, given: string[]): string => {
    expect('(', `after ${name.value}`);
    const args = [...given];
    if (!isOperator(')')) {
      do {
        if (args.length > given.length) next();
        args.push(ternary());
      } while (isOperator(','));
    }
    expect(')', `to close ${name.value}(`);
    const [min, max] = helper.arity.map((count) => count - given.length) as [number, number];
    const count = args.length - given.length;
    if (count < min || count > max) {
      fail(`${name.value}() takes ${min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`} argument(s), not ${count}`, name);
    }
    return bounded(helper.feel(args));
  };

  const primary = (): string => {
    const token = next();
    switch (token.kind) {
      case 'number':
        return token.value;
      case 'string':
        return feelString(token.value);
      case 'name':
        if (isLiteralWord(token.value)) return token.value;
        return fail(`unexpected ${describe(token)}`, token);
      case 'operator':
        if (token.value === '(') {
          const inner = ternary();
          expect(')', 'to close "("');
          return `(${inner})`;
        }
        if (token.value === '[') {
          const items: string[] = [];
          if (!isOperator(']')) {
            do {
              if (items.length) next();
              items.push(ternary());
            } while (isOperator(','));
          }
          expect(']', 'to close a list');
          return `[${items.join(', ')}]`;
        }
        return fail(`unexpected ${describe(token)}`, token);
      case 'end':
        return fail('the expression ends too early', token);
    }
  };

  const feel = ternary();
  if (peek().kind !== 'end') fail(`unexpected ${describe(peek())} (a missing operator?)`);
  return feel;
}

const isLiteralWord = (name: string) => name === 'true' || name === 'false' || name === 'null';

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : JSON.stringify(token.text);
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_$][\w$]*/y;

/** Matches a sticky pattern at `at`. */
function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

function tokenize(body: string, offset: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    const at = offset + i;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      for (; j < body.length && body[j] !== ch; j++) {
        if (body[j] === '\\' && j + 1 < body.length) j++;
        value += body[j];
      }
      if (j >= body.length) throw new ExpressionError(`the string starting at position ${at} is not closed`, at);
      tokens.push({ kind: 'string', text: body.slice(i, j + 1), value, at });
      i = j + 1;
      continue;
    }
    const number = matchAt(NUMBER, body, i);
    if (number) {
      // FEEL has no exponent notation: 1e3 becomes (1 * 10 ** 3)
      const [mantissa, exponent] = number.toLowerCase().split('e') as [string, string | undefined];
      const plain = mantissa.endsWith('.') ? mantissa.slice(0, -1) : mantissa;
      tokens.push({ kind: 'number', text: number, value: exponent === undefined ? plain : `(${plain} * 10 ** ${Number(exponent)})`, at });
      i += number.length;
      continue;
    }
    const name = matchAt(NAME, body, i);
    if (name) {
      const word = WORD_OPERATORS.get(name);
      tokens.push(word ? { kind: 'operator', text: name, value: word, at } : { kind: 'name', text: name, value: name, at });
      i += name.length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => body.startsWith(candidate, i));
    if (!operator) throw new ExpressionError(`unexpected character ${JSON.stringify(ch)} at position ${at}`, at);
    tokens.push({ kind: 'operator', text: operator, value: operator, at });
    i += operator.length;
  }
  tokens.push({ kind: 'end', text: '', value: '', at: offset + body.length });
  return tokens;
}
