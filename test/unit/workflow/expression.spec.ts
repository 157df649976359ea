import {
  ExpressionError,
  evaluateCondition,
  normaliseExpressionSource,
  parseExpression,
} from '../../../src/workflow/expressions/expression';

const run = (source: string, variables: Record<string, unknown> = {}): unknown =>
  parseExpression(source).evaluate(variables);

const parseError = (source: string): ExpressionError => {
  try {
    parseExpression(source);
  } catch (err) {
    if (err instanceof ExpressionError) {
      return err;
    }
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
};

describe('expression language', () => {
  describe('literals', () => {
    it.each<[string, unknown]>([
      ['42', 42],
      ['2.5', 2.5],
      ['.5', 0.5],
      ['1e3', 1000],
      ["'single quoted'", 'single quoted'],
      ['"double quoted"', 'double quoted'],
      ["'it\\'s'", "it's"],
      ['true', true],
      ['false', false],
      ['null', null],
      ["[1, 'two', true]", [1, 'two', true]],
    ])('the literal %s evaluates to %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });
  });

  describe('variables and member access', () => {
    const variables = {
      amount: 150,
      order: { customer: { tier: 'gold' }, 'line items': 3, lines: [{ sku: 'A-1' }, { sku: 'B-2' }] },
      tags: ['rush', 'gift'],
    };

    it('an identifier resolves against the variables object', () => {
      expect(run('amount', variables)).toBe(150);
    });

    it('dotted paths resolve nested objects (`order.customer.tier`)', () => {
      expect(run('order.customer.tier', variables)).toBe('gold');
    });

    it('bracket access with a string key works (`order["line items"]`)', () => {
      expect(run('order["line items"]', variables)).toBe(3);
    });

    it('bracket access with an index works on arrays (`order.lines[1].sku`, `tags[0]`)', () => {
      expect(run('order.lines[1].sku', variables)).toBe('B-2');
      expect(run('tags[0]', variables)).toBe('rush');
    });

    it('a computed key can come from another variable', () => {
      expect(run('order[key]', { ...variables, key: 'line items' })).toBe(3);
    });

    it('array and string lengths are readable as own properties', () => {
      expect(run('tags.length', variables)).toBe(2);
      expect(run("'abcd'.length")).toBe(4);
    });

    it('a missing variable yields undefined without throwing', () => {
      expect(run('doesNotExist', variables)).toBeUndefined();
    });

    it('a missing deep path (`a.b.c.d` through undefined and null) yields undefined without throwing', () => {
      expect(run('missing.b.c.d', variables)).toBeUndefined();
      expect(run('order.nothing.deeper', variables)).toBeUndefined();
      expect(run('nothing.x', { nothing: null })).toBeUndefined();
      expect(run('tags[99].name', variables)).toBeUndefined();
    });

    it('a condition on a missing variable is false rather than an error', () => {
      expect(evaluateCondition('missing > 100', {})).toBe(false);
      expect(evaluateCondition('missing.deep == "x"', {})).toBe(false);
      expect(evaluateCondition('missing < 100', {})).toBe(false);
    });

    it('functions stored in the variables are never exposed', () => {
      expect(run('fn', { fn: () => 1 })).toBeUndefined();
      expect(run('svc.call', { svc: { call: () => 1 } })).toBeUndefined();
    });

    it('identifiers that start with an operator word (`order`, `android`, `notes`) are ordinary variables', () => {
      expect(run('order', { order: 1 })).toBe(1);
      expect(run('android', { android: 2 })).toBe(2);
      expect(run('notes', { notes: 'n' })).toBe('n');
      expect(run('notes == "n" and order == 1', { notes: 'n', order: 1 })).toBe(true);
    });
  });

  describe('variables root prefixes', () => {
    it('`${environment.variables.amount > 100}` is the same as `amount > 100`', () => {
      expect(evaluateCondition('${environment.variables.amount > 100}', { amount: 150 })).toBe(true);
      expect(evaluateCondition('${environment.variables.amount > 100}', { amount: 50 })).toBe(false);
    });

    it('`variables.amount` addresses the variables root', () => {
      expect(run('variables.amount', { amount: 7 })).toBe(7);
      expect(run('variables["amount"]', { amount: 7 })).toBe(7);
    });

    it('`environment.output.status` addresses the variables root', () => {
      expect(run('environment.output.status == "paid"', { status: 'paid' })).toBe(true);
    });

    it('nested paths below the prefix resolve normally', () => {
      expect(run('environment.variables.order.total', { order: { total: 99 } })).toBe(99);
    });

    it('other `environment.*` members are ordinary (missing) paths', () => {
      expect(run('environment.services.x', { amount: 1 })).toBeUndefined();
    });
  });

  describe('comparison operators', () => {
    it.each<[string, boolean]>([
      ['1 == 1', true],
      ['1 == 2', false],
      ['1 != 2', true],
      ['1 != 1', false],
      ['1 === 1', true],
      ["1 === '1'", false],
      ["1 !== '1'", true],
      ['1 < 2', true],
      ['2 < 1', false],
      ['2 <= 2', true],
      ['3 > 2', true],
      ['2 >= 3', false],
      ["'apple' < 'banana'", true],
      ["'b' > 'a'", true],
      ["'abc' == 'abc'", true],
      ['null == missing', true],
      ['null === missing', false],
    ])('%s is %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it('a numeric string compares numerically with a number ("129.00" > 100)', () => {
      expect(evaluateCondition('total > 100', { total: '129.00' })).toBe(true);
      expect(evaluateCondition('total < 100', { total: '129.00' })).toBe(false);
      expect(evaluateCondition('100 < total', { total: '129.00' })).toBe(true);
      expect(evaluateCondition('total >= 129', { total: '129.00' })).toBe(true);
    });

    it('a numeric string equals a number with the same value under == but not under ===', () => {
      expect(evaluateCondition('total == 129', { total: '129.00' })).toBe(true);
      expect(evaluateCondition('total != 129', { total: '129.00' })).toBe(false);
      expect(evaluateCondition('total === 129', { total: '129.00' })).toBe(false);
    });

    it('two numeric strings compare lexicographically, as strings', () => {
      expect(run("'9' > '10'")).toBe(true);
    });

    it('non-numeric strings, null and booleans are never ordered against numbers', () => {
      expect(run("'abc' > 1")).toBe(false);
      expect(run("'abc' < 1")).toBe(false);
      expect(run("'' < 1")).toBe(false);
      expect(run('null < 1')).toBe(false);
      expect(run('true > 0')).toBe(false);
    });
  });

  describe('arithmetic operators', () => {
    it.each<[string, unknown]>([
      ['1 + 2', 3],
      ['5 - 7', -2],
      ['3 * 4', 12],
      ['10 / 4', 2.5],
      ['10 % 4', 2],
      ['2 + 3 * 4', 14],
      ['(2 + 3) * 4', 20],
      ["'order-' + 42", 'order-42'],
      ["1 + '1'", '11'],
      ["'a' + missing", 'a'],
      ["'12' * 2", 24],
    ])('%s evaluates to %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });

    it('arithmetic over variables works (`qty * price > 100`)', () => {
      expect(evaluateCondition('qty * price > 100', { qty: 3, price: 40 })).toBe(true);
    });

    it('arithmetic with a missing operand is NaN and compares false', () => {
      expect(run('missing * 2')).toBeNaN();
      expect(evaluateCondition('missing * 2 > 0', {})).toBe(false);
    });
  });

  describe('unary operators', () => {
    it.each<[string, unknown]>([
      ['-5', -5],
      ['-(2 + 3)', -5],
      ["+'42'", 42],
      ['!true', false],
      ['!missing', true],
      ['!!1', true],
      ['not true', false],
      ['not (1 > 2)', true],
    ])('%s evaluates to %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });
  });

  describe('logical operators', () => {
    it.each<[string, boolean]>([
      ['true && true', true],
      ['true && false', false],
      ['false || true', true],
      ['false || false', false],
      ['true and true', true],
      ['true and false', false],
      ['false or true', true],
      ['false or false', false],
    ])('%s is %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it('`a or b and c` parses as `a or (b and c)`', () => {
      // (true or false) and false would be false
      expect(run('true or false and false')).toBe(true);
      expect(run('a or b and c', { a: true, b: false, c: false })).toBe(true);
    });

    it('`a and b or c` parses as `(a and b) or c`', () => {
      // false and (false or true) would be false
      expect(run('false and false or true')).toBe(true);
    });

    it('word operators bind like their symbolic counterparts when mixed', () => {
      expect(run('true || false and false')).toBe(true);
      expect(run('true or false && false')).toBe(true);
    });

    it('`not` binds tighter than `and`/`or`', () => {
      expect(run('not false and false')).toBe(false);
      expect(run('not a or b', { a: true, b: true })).toBe(true);
    });

    it('comparisons bind tighter than `and`/`or`', () => {
      expect(evaluateCondition('amount > 100 and status == "paid"', { amount: 150, status: 'paid' })).toBe(true);
      expect(evaluateCondition('amount > 100 and status == "paid"', { amount: 150, status: 'open' })).toBe(false);
    });

    it('&& and || short-circuit and return operand values like JavaScript', () => {
      expect(run("missing || 'default'")).toBe('default');
      expect(run("name && upper(name)", { name: 'x' })).toBe('X');
      expect(run('0 && unknownPath.x')).toBe(0);
    });
  });

  describe('ternary', () => {
    it('`a ? b : c` picks the consequent when the test is truthy', () => {
      expect(run("amount > 100 ? 'big' : 'small'", { amount: 150 })).toBe('big');
    });

    it('`a ? b : c` picks the alternate when the test is falsy', () => {
      expect(run("amount > 100 ? 'big' : 'small'", { amount: 10 })).toBe('small');
    });

    it('a ternary composes with `or`', () => {
      expect(run("a or b ? 'yes' : 'no'", { a: false, b: true })).toBe('yes');
    });
  });

  describe('wrappers', () => {
    it('a FEEL condition `=orderValue >= 100` is true for 150', () => {
      expect(evaluateCondition('=orderValue >= 100', { orderValue: 150 })).toBe(true);
    });

    it('a FEEL condition `=orderValue >= 100` is false for 99', () => {
      expect(evaluateCondition('=orderValue >= 100', { orderValue: 99 })).toBe(false);
    });

    it('a Camunda-style condition `${orderValue >= 100}` is true for 150', () => {
      expect(evaluateCondition('${orderValue >= 100}', { orderValue: 150 })).toBe(true);
    });

    it('whitespace around and inside the wrappers is ignored', () => {
      expect(evaluateCondition('  ${  orderValue >= 100  }  ', { orderValue: 150 })).toBe(true);
      expect(evaluateCondition('  = orderValue >= 100 ', { orderValue: 150 })).toBe(true);
    });

    it('FEEL equality `=reviewOutcome = "approved"` compares, like `==`', () => {
      expect(evaluateCondition('=reviewOutcome = "approved"', { reviewOutcome: 'approved' })).toBe(true);
      expect(evaluateCondition('=reviewOutcome = "approved"', { reviewOutcome: 'rejected' })).toBe(false);
      expect(evaluateCondition('=total = 129', { total: '129.00' })).toBe(true);
    });

    it('FEEL `=` binds like `==`: tighter than `and`/`or`/`not`, looser than arithmetic', () => {
      expect(evaluateCondition('=orderValue >= 100 and tier = "gold"', { orderValue: 150, tier: 'gold' })).toBe(true);
      expect(evaluateCondition('=orderValue >= 100 and tier = "gold"', { orderValue: 150, tier: 'silver' })).toBe(false);
      expect(evaluateCondition('=not(status = "paid") or qty * 2 = 4', { status: 'paid', qty: 2 })).toBe(true);
      expect(evaluateCondition('=not(status = "paid")', { status: 'paid' })).toBe(false);
    });

    it('`a = 1` is an equality test and never assigns', () => {
      const variables = { a: 2 };
      expect(run('a = 1', variables)).toBe(false);
      expect(run('${a = 2}', variables)).toBe(true);
      expect(variables).toEqual({ a: 2 });
    });

    it('`==`, `===`, `!=`, `<=` and `>=` are unaffected by FEEL `=`', () => {
      expect(run('1 == 1')).toBe(true);
      expect(run("1 === '1'")).toBe(false);
      expect(run('1 != 1')).toBe(false);
      expect(run('2 <= 2')).toBe(true);
      expect(run('2 >= 3')).toBe(false);
    });

    it('normaliseExpressionSource strips `${...}` and a leading `=`', () => {
      expect(normaliseExpressionSource('${ amount > 1 }')).toBe('amount > 1');
      expect(normaliseExpressionSource('=amount > 1')).toBe('amount > 1');
      expect(normaliseExpressionSource('  amount > 1  ')).toBe('amount > 1');
      expect(normaliseExpressionSource("${ status == '}' }")).toBe("status == '}'");
    });

    it('normaliseExpressionSource leaves `${a} + ${b}` alone because the wrapper does not span the whole string', () => {
      expect(normaliseExpressionSource('${a} + ${b}')).toBe('${a} + ${b}');
    });

    it('normaliseExpressionSource does not strip the first character of `==`', () => {
      expect(normaliseExpressionSource('== 1')).toBe('== 1');
    });

    it('a string literal containing `}` inside `${...}` is kept intact', () => {
      expect(evaluateCondition("${ status == '}' }", { status: '}' })).toBe(true);
    });
  });

  describe('helpers', () => {
    it.each<[string, unknown]>([
      ["contains('hello world', 'lo w')", true],
      ["contains('hello', 'xyz')", false],
      ["contains(['a', 'b'], 'b')", true],
      ["contains(['a', 'b'], 'c')", false],
      ['contains([1, 2, 3], 2)', true],
      ["contains(missing, 'a')", false],
      ["startsWith('ORD-123', 'ORD-')", true],
      ["startsWith('ORD-123', 'INV-')", false],
      ["endsWith('invoice.pdf', '.pdf')", true],
      ["endsWith(missing, '.pdf')", false],
      ["lower('MiXeD')", 'mixed'],
      ["upper('MiXeD')", 'MIXED'],
      ['lower(missing)', null],
      ["length('abcd')", 4],
      ['length([1, 2, 3])', 3],
      ['length(missing)', null],
      ["number('129.00')", 129],
      ["number('abc')", null],
      ['number(true)', 1],
      ['string(42)', '42'],
      ['string(missing)', ''],
      ['abs(-3.5)', 3.5],
      ["abs('x')", null],
      ['min(3, 1, 2)', 1],
      ['max(3, 1, 2)', 3],
      ['max([4, 9, 2])', 9],
      ["min(1, 'x')", null],
      ['round(2.5)', 3],
      ['round(-2.5)', -3],
      ['round(1.005, 2)', 1.01],
      ['round(1234.5678, 1)', 1234.6],
      ["date('2024-01-02T00:00:00Z')", Date.UTC(2024, 0, 2)],
      ["date('not a date')", null],
      ['date(missing)', null],
      ["daysBetween('2024-01-01', '2024-01-31')", 30],
      ["daysBetween('2024-01-31', '2024-01-01')", -30],
      ["daysBetween('garbage', '2024-01-01')", null],
      ['isEmpty(missing)', true],
      ['isEmpty(null)', true],
      ["isEmpty('')", true],
      ['isEmpty([])', true],
      ["isEmpty('x')", false],
      ['isEmpty([0])', false],
      ['isEmpty(0)', false],
      ["oneOf('paid', ['paid', 'shipped'])", true],
      ["oneOf('open', ['paid', 'shipped'])", false],
      ["oneOf('2', [1, 2])", true],
      ["oneOf('x', missing)", false],
    ])('%s evaluates to %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });

    it('helpers take variables as arguments (`oneOf(status, [...]) and contains(tags, "rush")`)', () => {
      const variables = { status: 'paid', tags: ['rush'] };
      expect(evaluateCondition("oneOf(status, ['paid', 'shipped']) and contains(tags, 'rush')", variables)).toBe(
        true,
      );
    });

    it('now() returns the current time as an ISO string', () => {
      const before = Date.now();
      const value = run('now()');
      const after = Date.now();
      expect(typeof value).toBe('string');
      const parsed = Date.parse(value as string);
      expect(parsed).toBeGreaterThanOrEqual(before - 1);
      expect(parsed).toBeLessThanOrEqual(after + 1);
      expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('date() and now() combine for deadline checks', () => {
      expect(evaluateCondition('date(dueAt) < date(now())', { dueAt: '2000-01-01T00:00:00Z' })).toBe(true);
      expect(evaluateCondition('daysBetween(placedAt, now()) > 30', { placedAt: '2000-01-01' })).toBe(true);
    });

    it('a helper called with the wrong number of arguments is rejected when parsed', () => {
      expect(() => parseExpression("contains('a')")).toThrow(ExpressionError);
      expect(() => parseExpression('now(1)')).toThrow(/expects 0 argument/);
    });
  });

  describe('prototype access attempts', () => {
    it('`constructor` and `constructor.constructor` resolve to undefined', () => {
      expect(run('constructor', {})).toBeUndefined();
      expect(run('constructor.constructor', {})).toBeUndefined();
      expect(run('x.constructor.constructor', { x: {} })).toBeUndefined();
      expect(run('name.constructor', { name: 'abc' })).toBeUndefined();
    });

    it('`__proto__` is not resolvable, even as an own property created by JSON.parse', () => {
      expect(run('x.__proto__', { x: {} })).toBeUndefined();
      expect(run('__proto__', {})).toBeUndefined();
      const parsed = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
      expect(run('x.__proto__', { x: parsed })).toBeUndefined();
      expect(run('x.__proto__.polluted', { x: parsed })).toBeUndefined();
    });

    it('`prototype` is not resolvable even when it is an own property', () => {
      expect(run('x.prototype', { x: { prototype: { a: 1 } } })).toBeUndefined();
    });

    it('computed access to blocked names (`x["__proto__"]`, `x["con" + "structor"]`) is also undefined', () => {
      expect(run('x["__proto__"]', { x: {} })).toBeUndefined();
      expect(run('x["con" + "structor"]', { x: {} })).toBeUndefined();
      expect(run('x[["constructor"]]', { x: {} })).toBeUndefined();
    });

    it('inherited properties (`toString`, `hasOwnProperty`, array `map`) are not readable', () => {
      expect(run('x.toString', { x: {} })).toBeUndefined();
      expect(run('x.hasOwnProperty', { x: {} })).toBeUndefined();
      expect(run('tags.map', { tags: [] })).toBeUndefined();
      expect(run('toString', {})).toBeUndefined();
    });

    it('conditions built on prototype access are false', () => {
      expect(evaluateCondition('constructor.constructor', {})).toBe(false);
      expect(evaluateCondition('x.__proto__', { x: {} })).toBe(false);
      expect(evaluateCondition('!!x.constructor', { x: {} })).toBe(false);
    });

    it('evaluation does not pollute Object.prototype', () => {
      run('x.__proto__.polluted', { x: {} });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });
  });

  describe('disallowed syntax', () => {
    it.each<[string, string]>([
      ['compound expressions', 'a; b'],
      ['juxtaposed expressions', 'a b'],
      ['comma-separated expressions', 'a, b'],
      ['sequence expressions', '(a, b)'],
      ['compound assignment', 'a += 1'],
      ['a dangling FEEL equality', 'a ='],
      ['FEEL equality without a left side', '= = 1'],
      ['`new`', 'new Date()'],
      ['arrow functions', 'x => x'],
      ['template literals', '`total ${amount}`'],
      ['`this`', 'this'],
      ['`this` member access', 'this.amount'],
      ['method calls', 'a.toString()'],
      ['method calls via brackets', "a['toString']()"],
      ['calling a call result', 'lower(a)()'],
      ['calling a literal', "'abc'()"],
      ['calling an array', '[1]()'],
      ['bitwise operators', 'a | b'],
      ['bitwise not', '~a'],
      ['shift operators', 'a << 1'],
      ['exponent operator', '2 ** 3'],
      ['nullish coalescing', 'a ?? b'],
      ['array holes', '[1, , 2]'],
      ['an empty expression', ''],
      ['an empty wrapper', '${ }'],
      ['a bare FEEL marker', '='],
      ['a wrapper that does not span the whole string', '${a} + ${b}'],
    ])('%s (%s) throw ExpressionError', (_label, source) => {
      expect(() => parseExpression(source)).toThrow(ExpressionError);
      expect(() => evaluateCondition(source, {})).toThrow(ExpressionError);
    });

    it('an unknown function throws ExpressionError naming the function', () => {
      expect(() => evaluateCondition('eval("1")', {})).toThrow(ExpressionError);
      expect(() => evaluateCondition('eval("1")', {})).toThrow(/unknown function "eval"/);
      expect(() => evaluateCondition('require("fs")', {})).toThrow(ExpressionError);
      expect(() => evaluateCondition('Function("x")', {})).toThrow(ExpressionError);
    });

    it('a variable holding a function cannot be called', () => {
      expect(() => evaluateCondition('fn()', { fn: () => true })).toThrow(ExpressionError);
    });

    it('inherited names are not treated as helpers (`toString()`, `constructor()`)', () => {
      expect(() => parseExpression('toString()')).toThrow(ExpressionError);
      expect(() => parseExpression('constructor()')).toThrow(ExpressionError);
      expect(() => parseExpression('__proto__()')).toThrow(ExpressionError);
    });
  });

  describe('parse errors', () => {
    it('a parse error is an ExpressionError whose message includes the position', () => {
      const error = parseError('amount > ');
      expect(error).toBeInstanceOf(ExpressionError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ExpressionError');
      expect(typeof error.position).toBe('number');
      expect(error.message).toContain(`position ${error.position}`);
    });

    it('the position points at the offending character of an unclosed group', () => {
      const error = parseError('(a > 1');
      expect(error.message).toMatch(/Unclosed \(/);
      expect(error.position).toBe(6);
    });

    it('the position is reported relative to the source as written, including a `${` wrapper', () => {
      const bare = parseError('a > 1 )');
      const wrapped = parseError('${a > 1 )}');
      expect(bare.position).toBe(6);
      expect(wrapped.position).toBe(8);
      expect(wrapped.message).toContain('position 8');
    });

    it('an unclosed string literal is a parse error', () => {
      expect(() => parseExpression("status == 'paid")).toThrow(ExpressionError);
    });
  });

  describe('parseExpression', () => {
    it('parses once and can be evaluated many times with different variables', () => {
      const compiled = parseExpression('${amount > limit}');
      expect(compiled.source).toBe('${amount > limit}');
      expect(compiled.evaluate({ amount: 5, limit: 1 })).toBe(true);
      expect(compiled.evaluate({ amount: 0, limit: 1 })).toBe(false);
      expect(compiled.evaluate({})).toBe(false);
    });

    it('evaluateCondition returns booleans for non-boolean results', () => {
      expect(evaluateCondition("'non-empty'", {})).toBe(true);
      expect(evaluateCondition("''", {})).toBe(false);
      expect(evaluateCondition('0', {})).toBe(false);
      expect(evaluateCondition('items', { items: [] })).toBe(true);
    });

    it('evaluateCondition keeps working beyond the cache size', () => {
      for (let i = 0; i < 600; i++) {
        expect(evaluateCondition(`n == ${i}`, { n: i })).toBe(true);
      }
      expect(evaluateCondition('n == 0', { n: 0 })).toBe(true);
    });
  });
});
