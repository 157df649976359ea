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
