import { backOffSeconds, MAX_DELAY_SECONDS } from '../../../src/auth/login-throttle';

/** Issue 11 item 4: growing delays instead of a hard lock. */
describe('backOffSeconds', () => {
  it('lets the first 5 failures of an account or device pass without delay, then doubles from a minute', () => {
    expect([0, 4].map((failures) => backOffSeconds('account', failures))).toEqual([0, 0]);
    expect([5, 6, 7, 8].map((failures) => backOffSeconds('account', failures))).toEqual([60, 120, 240, 480]);
    expect(backOffSeconds('device', 5)).toBe(60);
  });

  it('gives an address 30 failures before its delays (offices share one)', () => {
    expect(backOffSeconds('address', 29)).toBe(0);
    expect(backOffSeconds('address', 30)).toBe(60);
  });

  it('never waits longer than 15 minutes, however many failures: nobody is locked out for good', () => {
    expect(MAX_DELAY_SECONDS).toBe(15 * 60);
    expect(backOffSeconds('account', 9)).toBe(MAX_DELAY_SECONDS);
    expect(backOffSeconds('account', 100_000)).toBe(MAX_DELAY_SECONDS);
  });
});
