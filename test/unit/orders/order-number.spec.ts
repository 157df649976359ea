import { orderNumber } from '../../../src/orders/orders.service';

/** Order numbers: SO + yyMMdd + a six-digit sequence ("readable on the phone", G2.2 opens an order by its number). */
describe('orderNumber', () => {
  const day = new Date('2026-11-25T04:00:00Z');

  it('is SO, the date as yyMMdd and the sequence padded to six digits', () => {
    expect(orderNumber(1, day)).toBe('SO261125000001');
    expect(orderNumber(42, day)).toBe('SO261125000042');
    expect(orderNumber(999999, day)).toBe('SO261125999999');
  });

  it('always matches SO followed by 12 digits for sequences up to 999999', () => {
    for (const sequence of [1, 9, 10, 12345, 100000, 999999]) expect(orderNumber(sequence, day)).toMatch(/^SO\d{12}$/);
  });

  it('pads months and days to two digits', () => {
    expect(orderNumber(7, new Date('2027-01-05T12:00:00Z'))).toBe('SO270105000007');
  });

  it('different sequences on one day give different numbers; the same sequence on different days too', () => {
    expect(orderNumber(1, day)).not.toBe(orderNumber(2, day));
    expect(orderNumber(1, day)).not.toBe(orderNumber(1, new Date('2026-11-26T04:00:00Z')));
  });

  it('never truncates a sequence beyond six digits (numbers stay unique, only longer)', () => {
    expect(orderNumber(1234567, day)).toBe('SO2611251234567');
  });

  it('uses the current date by default', () => {
    const stamp = (date: Date) => date.toISOString().slice(2, 10).replace(/-/g, '');
    const before = stamp(new Date());
    const number = orderNumber(3);
    const after = stamp(new Date());
    expect([`SO${before}000003`, `SO${after}000003`]).toContain(number);
  });
});
