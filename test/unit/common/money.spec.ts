import { fromCents, isMoney, multiplyMoney, normaliseMoney, sumMoney, toCents } from '../../../src/common/money';

/** DESIGN "Data rules": money is a decimal string, arithmetic on integer cents, never a float. */
describe('money', () => {
  describe('toCents', () => {
    it.each<[string, bigint]>([
      ['129.00', 12900n],
      ['129', 12900n],
      ['129.5', 12950n],
      ['0.01', 1n],
      ['0', 0n],
      ['-3.50', -350n],
      ['9999999999.99', 999999999999n],
    ])('"%s" is %p cents', (value, cents) => {
      expect(toCents(value)).toBe(cents);
    });

    it.each<[string, unknown]>([
      ['a float', 19.9],
      ['an integer number', 129],
      ['three decimals', '1.005'],
      ['letters', 'abc'],
      ['an empty string', ''],
      ['a comma decimal', '12,50'],
      ['a thousands separator', '1,000.00'],
      ['a currency sign', '¥12.00'],
      ['exponent notation', '1e3'],
      ['a leading plus', '+1.00'],
      ['spaces', ' 1.00 '],
      ['a trailing dot', '1.'],
      ['null', null],
      ['more than ten whole digits', '12345678901.00'],
    ])('rejects %s', (_, value) => {
      expect(() => toCents(value as string)).toThrow(RangeError);
    });
  });

  describe('fromCents', () => {
    it.each<[bigint, string]>([
      [12900n, '129.00'],
      [1n, '0.01'],
      [10n, '0.10'],
      [0n, '0.00'],
      [-1n, '-0.01'],
      [-12345n, '-123.45'],
      [999999999999n, '9999999999.99'],
    ])('%p cents is "%s"', (cents, value) => {
      expect(fromCents(cents)).toBe(value);
    });

    it('round-trips every cent amount from 0 to 100.00 exactly', () => {
      for (let cents = 0n; cents <= 10000n; cents++) expect(toCents(fromCents(cents))).toBe(cents);
    });
  });

  describe('sumMoney', () => {
    it('0.10 + 0.20 is exactly 0.30 (a float would say 0.30000000000000004)', () => {
      expect(0.1 + 0.2).not.toBe(0.3);
      expect(sumMoney(['0.10', '0.20'])).toBe('0.30');
    });

    it('adds many small amounts without drift', () => {
      expect(sumMoney(Array(1000).fill('0.01'))).toBe('10.00');
      expect(sumMoney(Array(3).fill('33.33'))).toBe('99.99');
    });

    it('normalises mixed precision and handles negatives and the empty list', () => {
      expect(sumMoney(['129', '0.5', '10.05'])).toBe('139.55');
      expect(sumMoney(['10.00', '-2.50'])).toBe('7.50');
      expect(sumMoney([])).toBe('0.00');
    });

    it('rejects a malformed amount instead of guessing', () => {
      expect(() => sumMoney(['1.00', 'abc'])).toThrow(RangeError);
      expect(() => sumMoney(['1.00', 0.5 as unknown as string])).toThrow(RangeError);
    });
  });

  describe('multiplyMoney', () => {
    it.each<[string, number, string]>([
      ['19.90', 3, '59.70'],
      ['0.01', 100000, '1000.00'],
      ['1.15', 3, '3.45'], // 1.15 * 3 is 3.4499999999999997 in floats
      ['129', 2, '258.00'],
      ['5.00', 0, '0.00'],
    ])('"%s" × %d is "%s"', (price, quantity, total) => {
      expect(multiplyMoney(price, quantity)).toBe(total);
    });

    it('rejects a fractional quantity and a malformed price', () => {
      expect(() => multiplyMoney('1.00', 1.5)).toThrow(RangeError);
      expect(() => multiplyMoney('1.005', 2)).toThrow(RangeError);
    });
  });

  describe('isMoney and normaliseMoney', () => {
    it('isMoney accepts decimal strings only', () => {
      expect(isMoney('129.00')).toBe(true);
      expect(isMoney('129')).toBe(true);
      expect(isMoney(129)).toBe(false);
      expect(isMoney('12.345')).toBe(false);
      expect(isMoney(undefined)).toBe(false);
    });

    it('normaliseMoney shows two places and passes null through', () => {
      expect(normaliseMoney('129.5')).toBe('129.50');
      expect(normaliseMoney('7')).toBe('7.00');
      expect(normaliseMoney(null)).toBeNull();
      expect(normaliseMoney(undefined)).toBeNull();
    });
  });
});
