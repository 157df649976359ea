import {
  compileExpression,
  evaluateExpression,
  ExpressionError,
  isExpression,
  resolveText,
} from '../../../src/workflow/expressions/diagram-expression';
import { DATA_LIMITS, MAX_EXPRESSION_LENGTH } from '../../../src/workflow/expressions/feel';

const run = (source: string, variables: Record<string, unknown> = {}): unknown => compileExpression(source).evaluate(variables);

const rejection = (source: string): ExpressionError => {
  try {
    compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
};

describe('diagram expressions: FEEL through feelin, ${...} translated to FEEL', () => {
  describe('the conditions of the shipped diagrams and fixtures keep their meaning', () => {
    it.each<[string, Record<string, unknown>, boolean]>([
      ['${approved == true}', { approved: true }, true],
      ['${approved == true}', { approved: false }, false],
      ['${approved == true}', {}, false],
      ['${reviewOutcome == "approved"}', { reviewOutcome: 'approved' }, true],
      ['${reviewOutcome == "approved"}', { reviewOutcome: 'closed' }, false],
      ['${reviewOutcome == "approved"}', {}, false],
      ['${resolution == "replacement"}', { resolution: 'replacement' }, true],
      ['=reviewOutcome = "approved"', { reviewOutcome: 'approved' }, true],
      ['=reviewOutcome = "closed"', { reviewOutcome: 'approved' }, false],
      ['=stockReserved = true', { stockReserved: true }, true],
      ['=stockReserved = true', {}, false],
      ['=approved = true and amount <= 500', { approved: true, amount: 120 }, true],
      ['=approved = true and amount <= 500', { approved: true, amount: 900 }, false],
    ])('%s over %j is %p', (source, variables, expected) => {
      expect(run(source, variables)).toBe(expected);
    });
  });

  describe('FEEL (=...)', () => {
    it.each<[string, Record<string, unknown>, unknown]>([
      ['=orderValue >= 100', { orderValue: 150 }, true],
      ['=orderValue >= 100', { orderValue: 99 }, false],
      ['  = orderValue >= 100 ', { orderValue: 150 }, true],
      ['=tier != "gold"', { tier: 'silver' }, true],
      ['=amount > 100 and (tier = "gold" or vip)', { amount: 150, tier: 'silver', vip: true }, true],
      ['=not(status = "paid")', { status: 'paid' }, false],
      ['=status in ("paid", "settled")', { status: 'settled' }, true],
      ['=amount between 10 and 20', { amount: 15 }, true],
      ['=amount in [10..20]', { amount: 25 }, false],
      ['=if amount > 100 then "big" else "small"', { amount: 150 }, 'big'],
      ['=order.customer.tier = "gold"', { order: { customer: { tier: 'gold' } } }, true],
      ['=lines[1].sku', { lines: [{ sku: 'A-1' }, { sku: 'B-2' }] }, 'A-1'],
      ['=count(lines[qty > 1]) > 0', { lines: [{ qty: 1 }, { qty: 3 }] }, true],
      ['=list contains(["paid", "settled"], status)', { status: 'paid' }, true],
      ['=starts with(orderNumber, "ORD-")', { orderNumber: 'ORD-7' }, true],
      ['=string length(note) > 3', { note: 'fragile' }, true],
      ['=`order total` > 100', { 'order total': 120 }, true],
      ['=date(placedAt) < date("2024-06-01")', { placedAt: '2024-01-15' }, true],
      ['=date("2024-01-02")', {}, '2024-01-02'],
      ['=duration("PT1H") < duration("P1D")', {}, true],
    ])('%s over %j is %p', (source, variables, expected) => {
      expect(run(source, variables)).toEqual(expected);
    });

    it('a missing variable is FEEL null: a comparison with it is null or false, never an error', () => {
      expect(run('=missing > 100')).toBeNull();
      expect(run('=missing = "x"')).toBe(false);
      expect(run('=missing.deep.path = 1')).toBe(false);
      expect(run('=missing + 1 > 2')).toBeNull();
      expect(run('=missing = null')).toBe(true);
    });
  });

  describe('${...}: JUEL as Camunda 7 diagrams write it, translated to FEEL', () => {
    it.each<[string, Record<string, unknown>, unknown]>([
      ["${amount > 100 && tier == 'gold'}", { amount: 150, tier: 'gold' }, true],
      ["${amount > 100 and tier eq 'gold'}", { amount: 150, tier: 'silver' }, false],
      ['${a || b}', { a: false, b: true }, true],
      ['${a or b and c}', { a: true, b: false, c: false }, true],
      ['${false and false or true}', {}, true],
      ['${x ne 1 && x lt 5 && x le 4 && x gt 2 && x ge 3}', { x: 3 }, true],
      ['${1 != 2}', {}, true],
      ['${1 === 1 && 1 !== 2}', {}, true],
      ['${a = 2}', { a: 2 }, true],
      ['${!approved}', { approved: true }, false],
      ['${!approved}', { approved: false }, true],
      ['${!approved}', {}, true],
      ['${not (1 > 2)}', {}, true],
      ['${empty items}', { items: [] }, true],
      ['${empty items}', {}, true],
      ['${empty note}', { note: '' }, true],
      ['${not empty items}', { items: ['x'] }, true],
      ['${empty order}', { order: {} }, true],
      ["${amount > 100 ? 'big' : 'small'}", { amount: 150 }, 'big'],
      ["${amount > 100 ? 'big' : amount > 10 ? 'medium' : 'small'}", { amount: 50 }, 'medium'],
      ['${qty * price > 100}', { qty: 3, price: 40 }, true],
      ['${10 div 4 == 2.5 && 10 % 4 == 2 && 10 mod 4 == 2}', {}, true],
      ['${-(2 + 3)}', {}, -5],
      ["${'order-' + id}", { id: 'A7' }, 'order-A7'],
      ["${'it\\'s' == \"it's\"}", {}, true],
      ['${1e3 == 1000 && .5 == 0.5}', {}, true],
      ['${[1, 2, 3]}', {}, [1, 2, 3]],
      ['${null == missing}', {}, true],
    ])('%s over %j is %p', (source, variables, expected) => {
      expect(run(source, variables)).toEqual(expected);
    });

    it('names and paths: a.b, a["b"], a[0] (JUEL counts from 0), computed keys', () => {
      const variables = { order: { customer: { tier: 'gold' }, 'line items': 3, lines: [{ sku: 'A-1' }, { sku: 'B-2' }] }, key: 'line items', i: 1, tags: ['rush', 'gift'] };
      expect(run('${order.customer.tier}', variables)).toBe('gold');
      expect(run('${order["line items"]}', variables)).toBe(3);
      expect(run('${order.lines[1].sku}', variables)).toBe('B-2');
      expect(run('${order[key]}', variables)).toBe(3);
      expect(run('${tags[i]}', variables)).toBe('gift');
      expect(run('${tags[9]}', variables)).toBeNull();
    });

    it('variables.x, environment.variables.x, environment.output.x and execution.getVariable("x") all read x', () => {
      for (const source of ['${variables.amount}', '${variables["amount"]}', '${environment.variables.amount}', '${environment.output.amount}', "${execution.getVariable('amount')}"]) {
        expect([source, run(source, { amount: 7 })]).toEqual([source, 7]);
      }
      expect(run('${environment.variables.order.total > 10}', { order: { total: 99 } })).toBe(true);
      expect(rejection('${variables}').message).toMatch(/stands for the variables themselves/);
    });

    it('a name that is a FEEL keyword is still a variable (`in`, `for`, `date`, `then`)', () => {
      expect(run('${in + for + date + then}', { in: 1, for: 2, date: 3, then: 4 })).toBe(10);
    });

    it('the Java methods Camunda 7 conditions call most: size, length, isEmpty, equals, contains, startsWith', () => {
      const variables = { items: ['a', 'b'], note: 'fragile', status: 'paid' };
      expect(run('${items.size() == 2 && note.length() == 7 && !items.isEmpty()}', variables)).toBe(true);
      expect(run("${status.equals('paid') && note.contains('rag') && items.contains('b') && note.startsWith('fr')}", variables)).toBe(true);
      expect(run('${items.length == 2 && note.length == 7}', variables)).toBe(true);
    });

    it('the helper functions of the replaced language, as FEEL built-ins', () => {
      const variables = { status: 'paid', tags: ['rush'], name: 'MiXeD', total: -3.5 };
      expect(run("${oneOf(status, ['paid', 'shipped']) && contains(tags, 'rush') && contains('hello', 'll')}", variables)).toBe(true);
      expect(run("${startsWith('ORD-1', 'ORD-') && endsWith('a.pdf', '.pdf') && lower(name) == 'mixed' && upper(name) == 'MIXED'}", variables)).toBe(true);
      expect(run("${length('abcd') == 4 && length(tags) == 1 && isEmpty(missing) && !isEmpty(tags)}", variables)).toBe(true);
      expect(run("${abs(total) == 3.5 && min(3, 1, 2) == 1 && max([4, 9, 2]) == 9 && round(2.5) == 3 && number('12.5') == 12.5 && string(42) == '42'}", variables)).toBe(true);
      expect(run('${length(5)}')).toBeNull();
      expect(rejection("${contains('a')}").message).toMatch(/takes 2 argument/);
      expect(rejection('${note.contains()}').message).toMatch(/contains\(\) takes 1 argument\(s\), not 0/);
    });

    it('errors point at the character in the source as written', () => {
      expect(rejection('${amount >}').position).toBe(10);
      expect(rejection('  ${a > 1 )}').position).toBe(10);
      expect(rejection("${status == 'paid}").message).toMatch(/not closed by the final/);
      expect(rejection("${status == 'paid").message).toMatch(/not closed by the final/);
    });
  });

  describe('where FEEL differs from the replaced language (documented in README "Conditions")', () => {
    it('a numeric string is not equal to a number (FEEL compares types), but a string is still not a number', () => {
      expect(run('${total == 129}', { total: '129.00' })).toBeNull();
      expect(run('=total = 129', { total: '129.00' })).toBeNull();
      expect(run('=number(total) = 129', { total: '129.00' })).toBe(true);
    });

    it('&& and || give true, false or null, not one of their operands', () => {
      expect(run("${missing || 'default'}")).toBeNull();
    });
  });

  describe('type errors: a validation error at deploy (constants), an ExpressionError at run time (an incident)', () => {
    it.each(['="a" + 1', "${'a' * 2}", '=abs("x")', '=number("abc")'])('%s is rejected when compiled', (source) => {
      expect(rejection(source).message).toMatch(/cannot be evaluated/);
    });

    it('the same mistake over a variable fails when evaluated, naming the expression', () => {
      const compiled = compileExpression('=total + 1 > 100');
      expect(compiled.evaluate({ total: 150 })).toBe(true);
      expect(() => compiled.evaluate({ total: 'abc' })).toThrow(ExpressionError);
      expect(() => compiled.evaluate({ total: 'abc' })).toThrow(/"=total \+ 1 > 100": cannot be evaluated: Can't add/);
    });
  });

  describe('rejected syntax', () => {
    it.each<[string, string, RegExp]>([
      ['JUEL `==` in FEEL', '=approved == true', /"==" is not a FEEL operator/],
      ['JUEL `===` in FEEL', '=a === 1', /not a FEEL operator/],
      ['a FEEL syntax error', '=amount >', /cannot parse/],
      ['a `for` loop', '=for i in 1..1000000 return i', /`for` loops are not allowed/],
      ['`some`', '=some x in items satisfies x > 1', /`some` \/ `every`/],
      ['a function definition', '=function(n) n', /function definitions/],
      ['calling a function value', '=(function(n) n)(1)', /only FEEL's built-in functions/],
      ['a context literal (a let that can double a list per entry)', '={a: [1], b: concatenate(a, a)}.b', /context literals/],
      ['a regular expression', '=matches(note, "(a+)+$")', /regular expressions/],
      ['an unknown function', '=eval("1")', /cannot call "eval"/],
      ['a helper of the replaced language in FEEL', '=oneOf(status, ["paid"])', /cannot call "oneOf"/],
      ['a variable called as a function', '=fn()', /cannot call "fn"/],
      ['a method call in FEEL', '=a.b()', /only FEEL's built-in functions/],
      ['a filter inside a filter', '=items[count(items[x > 1]) > 0]', /a filter inside a filter/],
      ['a quadratic function inside a filter', '=items[count(distinct values(items)) > 1]', /not allowed inside a filter/],
      ['compound expressions', '${a; b}', /unexpected character ";"/],
      ['juxtaposed expressions', '${a b}', /missing operator/],
      ['comma-separated expressions', '${a, b}', /unexpected ","/],
      ['compound assignment', '${a += 1}', /unexpected/],
      ['`new`', '${new Date()}', /missing operator/],
      ['arrow functions', '${x => x}', /unexpected/],
      ['template literals', '${`total`}', /unexpected character "`"/],
      ['a method outside the small table', '${a.toString()}', /the method \.toString\(\.\.\.\) is not supported/],
      ['calling a call result', '${lower(a)()}', /only the helper functions can be called/],
      ['bitwise operators', '${a | b}', /unexpected character "\|"/],
      ['bitwise not', '${~a}', /unexpected character "~"/],
      ['shift operators', '${a << 1}', /unexpected "<"/],
      ['the exponent operator', '${2 ** 3}', /unexpected "\*"/],
      ['nullish coalescing', '${a ?? b}', /unexpected "\?"/],
      ['array holes', '${[1, , 2]}', /unexpected ","/],
      ['an unknown helper', '${eval("1")}', /unknown function "eval"/],
      ['require', '${require("fs")}', /unknown function "require"/],
      ['date() of the replaced language', "${date(placedAt) < date(now())}", /write the condition in FEEL/],
      ['an empty expression', '', /is not an expression/],
      ['an empty wrapper', '${ }', /ends too early/],
      ['a bare FEEL marker', '=', /empty/],
      ['a wrapper that does not span the whole text', '${a} + ${b}', /not closed by the final/],
      ['unwrapped text', 'amount > 100', /is not an expression/],
    ])('%s (%s) is an ExpressionError', (_label, source, message) => {
      const error = rejection(source);
      expect(error.message).toMatch(message);
      expect(() => evaluateExpression(source, {})).toThrow(ExpressionError);
    });
  });

  describe('hostile input', () => {
    it('prototypes are never reachable: constructor, __proto__ (even as an own key from JSON.parse), prototype, inherited names', () => {
      const parsed = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"name": "x"}, "prototype": 1}') as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(true);
      for (const source of ['=x.__proto__', '=x.__proto__.polluted', '=x.constructor', '=x.prototype', '=get value(x, "__proto__")', '=get value(x, "constructor")', '${x.__proto__}', '${x["constructor"]}']) {
        expect([source, run(source, { x: parsed })]).toEqual([source, null]);
      }
      for (const source of ['=constructor', '=x.toString', '=x.hasOwnProperty', '=x.valueOf', '=__proto__', '${constructor.constructor}', '${x.toString}']) {
        expect([source, run(source, { x: {} })]).toEqual([source, null]);
      }
    });

    it('functions, class instances and getters in the data are never exposed, called or run', () => {
      let ran = false;
      const variables = {
        fn: () => true,
        svc: { call: () => true },
        link: new URL('https://example.com'),
        tricky: Object.defineProperty({ plain: 1 }, 'secret', { enumerable: true, get: () => { ran = true; return 1; } }),
      };
      expect(run('=fn', variables)).toBeNull();
      expect(run('=svc.call', variables)).toBeNull();
      expect(run('=link.href', variables)).toBeNull();
      expect(run('=tricky.plain = 1 and tricky.secret = null', variables)).toBe(true);
      expect(ran).toBe(false);
      expect(() => run('=svc.call()', variables)).toThrow(ExpressionError);
    });

    it('evaluation cannot pollute Object.prototype', () => {
      run('=get value(context put(x, "__proto__", y), "polluted")', { x: {}, y: { polluted: true } });
      run('=context merge([x, y]) != null', { x: {}, y: JSON.parse('{"__proto__": {"polluted": true}}') });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('the data an expression reads is bounded: too many values, too deep, too many characters → ExpressionError', () => {
      const many = Array.from({ length: DATA_LIMITS.values + 1 }, (_, i) => i);
      expect(() => run('=count(big) > 0', { big: many })).toThrow(/too large \(more than 2000 values\)/);
      const deep = JSON.parse('['.repeat(DATA_LIMITS.depth + 2) + ']'.repeat(DATA_LIMITS.depth + 2)) as unknown;
      expect(() => run('=count(deep) > 0', { deep })).toThrow(/levels of nesting/);
      expect(() => run('=string length(text) > 0', { text: 'x'.repeat(DATA_LIMITS.characters + 1) })).toThrow(/characters/);
      // only what the expression names is read: large unrelated variables do not matter
      expect(run('=small = 1', { small: 1, big: many })).toBe(true);
    });

    it('long or deeply nested expressions are refused before feelin parses them', () => {
      expect(rejection(`=${'x'.repeat(MAX_EXPRESSION_LENGTH + 1)}`).message).toMatch(/longer than/);
      expect(rejection(`\${${'x'.repeat(MAX_EXPRESSION_LENGTH + 1)}}`).message).toMatch(/longer than/);
      expect(rejection(`=${'('.repeat(100)}1${')'.repeat(100)}`).message).toMatch(/nests brackets deeper/);
      expect(rejection(`\${${'!'.repeat(1000)}a}`).message).toMatch(/nests deeper/);
      // `empty` repeats its operand: nested ones would double the translation each time
      expect(rejection(`\${${'empty '.repeat(40)}a}`).message).toMatch(/too large once translated/);
    });

    it('a long but flat condition is fine: depth counts nesting, not names', () => {
      const names = Array.from({ length: 300 }, (_, i) => `v${i}`);
      const variables = Object.fromEntries(names.map((name, i) => [name, i === 299]));
      expect(run(`=list contains([${names.join(', ')}], true)`, variables)).toBe(true);
    });

    it('a range is a test, never a list that a long loop would build', () => {
      expect(run('=x in [1..1000000000]', { x: 5 })).toBe(true);
    });
  });

  describe('compiling and caching', () => {
    it('compiles once; evaluates any number of times with different variables', () => {
      const compiled = compileExpression('${amount > limit}');
      expect(compiled.source).toBe('${amount > limit}');
      expect(compiled.feel).toBe('(`amount` > `limit`)');
      expect(compiled.evaluate({ amount: 5, limit: 1 })).toBe(true);
      expect(compiled.evaluate({ amount: 0, limit: 1 })).toBe(false);
      expect(compiled.evaluate({})).toBeNull();
    });

    it('evaluateExpression keeps working beyond its cache sizes, and memoized values follow the data', () => {
      for (let i = 0; i < 2_100; i++) expect(evaluateExpression(`=n = ${i % 600}`, { n: i % 600 })).toBe(true);
      expect(evaluateExpression('=n = 0', { n: 1 })).toBe(false);
      expect(evaluateExpression('=n = 0', { n: 0 })).toBe(true);
    });

    it('an expression reading the clock is evaluated each time', () => {
      const before = Date.now();
      expect(Date.parse(evaluateExpression('=string(now())', {}) as string)).toBeGreaterThanOrEqual(before - 1_000);
      expect(compileExpression('=now() > date and time("2020-01-01T00:00:00Z")').evaluate({})).toBe(true);
    });
  });

  describe('bpmn-engine texts (resolveText)', () => {
    it('an expression gives its value; a text with ${...} inside gives the text with each replaced; other text stays', () => {
      expect(resolveText('${amount > 1}', { amount: 2 })).toBe(true);
      expect(resolveText(' =amount ', { amount: 2 })).toBe(2);
      expect(resolveText('order-${id}-${missing}', { id: 'A7' })).toBe('order-A7-');
      expect(resolveText('PT24H', {})).toBe('PT24H');
      expect(resolveText('== not FEEL', {})).toBe('== not FEEL');
    });

    it('isExpression: a leading = (not ==) or ${...} spanning the whole text', () => {
      expect([isExpression('=a'), isExpression(' ${a} '), isExpression("${ status == '}' }")]).toEqual([true, true, true]);
      expect([isExpression('==a'), isExpression('${a} + ${b}'), isExpression('a')]).toEqual([false, false, false]);
    });
  });
});
