import { dueAtOf } from '../../../src/workflow/due-at';

describe('a user task\'s due time (dueAtOf, read by @0dep/piso like the timers)', () => {
  const now = new Date('2026-03-10T08:00:00Z');

  it('oms:dueIn is an ISO 8601 duration from now: hours, days, weeks, months, fractions', () => {
    expect(dueAtOf('PT4H', undefined, now)?.toISOString()).toBe('2026-03-10T12:00:00.000Z');
    expect(dueAtOf('P2D', undefined, now)?.toISOString()).toBe('2026-03-12T08:00:00.000Z');
    expect(dueAtOf('P1DT12H30M', undefined, now)?.toISOString()).toBe('2026-03-11T20:30:00.000Z');
    expect(dueAtOf('P1W', undefined, now)?.toISOString()).toBe('2026-03-17T08:00:00.000Z');
    expect(dueAtOf('P1M', undefined, now)?.toISOString()).toBe('2026-04-10T08:00:00.000Z');
    expect(dueAtOf('PT0.5H', undefined, now)?.toISOString()).toBe('2026-03-10T08:30:00.000Z');
  });

  it('an absolute due date wins over dueIn; without an offset it is UTC, not the server\'s time zone', () => {
    expect(dueAtOf('PT4H', '2026-04-01T17:00:00+02:00', now)?.toISOString()).toBe('2026-04-01T15:00:00.000Z');
    expect(dueAtOf(undefined, '2026-04-01T17:00:00', now)?.toISOString()).toBe('2026-04-01T17:00:00.000Z');
    expect(dueAtOf(undefined, '2026-04-01', now)?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('what is not ISO 8601 gives no due time (an expression, a typo, a repetition), and a bad due date falls back on dueIn', () => {
    for (const dueIn of ['2 days', 'PT4', 'pt4h', '=duration("PT4H")', 'R3/PT1H', '']) expect([dueIn, dueAtOf(dueIn, undefined, now)]).toEqual([dueIn, null]);
    expect(dueAtOf(undefined, '=now() + duration("P1D")', now)).toBeNull();
    expect(dueAtOf(undefined, '2026-02-30T09:00:00Z', now)).toBeNull();
    expect(dueAtOf('PT1H', 'tomorrow', now)?.toISOString()).toBe('2026-03-10T09:00:00.000Z');
  });
});
