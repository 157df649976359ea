import { formVariables } from '../../../src/workflow/task-form';

describe('a user task form takes only its fields, of their types (issue 11)', () => {
  const fields = [
    { name: 'pickupOn', type: 'date' as const, required: true },
    { name: 'refundAmount', type: 'money' as const, required: false },
  ];

  it('takes a real date and an amount', () => {
    expect(formVariables(fields, { pickupOn: '2026-02-28', refundAmount: '19.90' })).toEqual({ pickupOn: '2026-02-28', refundAmount: '19.90' });
  });

  it('refuses an impossible date, a date with a time and a float amount, naming each field', () => {
    for (const [value, amount] of [['2026-02-30', '1.999'], ['2026-02-28T10:00:00Z', 20]]) {
      expect(() => formVariables(fields, { pickupOn: value, refundAmount: amount })).toThrow(/variables\.pickupOn must be a date .*variables\.refundAmount must be an amount/);
    }
  });
});

describe('the limits a form declares are checked on completion (issue 14 item 9)', () => {
  const fields = [
    { name: 'count', type: 'long' as const, required: true, min: 1, max: 99 },
    { name: 'note', type: 'string' as const, required: false, minLength: 2, maxLength: 5 },
  ];

  it('takes a whole number in range and a text of the allowed length', () => {
    expect(formVariables(fields, { count: 3, note: '破损严重' })).toEqual({ count: 3, note: '破损严重' });
  });

  it('refuses a fraction, a number out of range, a text too long, and a blank required field', () => {
    expect(() => formVariables(fields, { count: 1.5 })).toThrow(/variables\.count must be a whole number/);
    expect(() => formVariables(fields, { count: 100 })).toThrow(/variables\.count must be at most 99/);
    expect(() => formVariables(fields, { count: 0 })).toThrow(/variables\.count must be at least 1/);
    expect(() => formVariables(fields, { count: 2, note: '一二三四五六' })).toThrow(/variables\.note must be at most 5 characters/);
    expect(() => formVariables(fields, { count: 2, note: '一' })).toThrow(/variables\.note must be at least 2 characters/);
    expect(() => formVariables([{ name: 'reason', type: 'string', required: true }], { reason: '  ' })).toThrow(/variables\.reason is required/);
  });

  it('refuses a field the form does not declare, and nothing is taken', () => {
    expect(() => formVariables(fields, { count: 2, needsReturn: false })).toThrow(/variables\.needsReturn is not a field of this task's form/);
  });
});
