import { judgeAdminSession, TOUCH_GRANULARITY_MS } from '../../../src/admin/admin-session-policy';

/** Issue 11 item 3: which admin sessions may serve a request (checked on every request by AdminSessionStore). */
describe('judgeAdminSession', () => {
  const now = Date.parse('2026-12-08T10:00:00Z');
  const minutes = (count: number) => count * 60_000;
  const limits = { idleMinutes: 30, absoluteMinutes: 12 * 60 };
  const signedIn = (overrides: Record<string, number> = {}) => ({
    adminUser: { id: 'u1' },
    oms: { userId: 'u1', tokenVersion: 3, signedInAt: now - minutes(60), lastSeenAt: now - minutes(5), ...overrides },
  });
  const user = { active: true, tokenVersion: 3 };

  it('keeps a session of an enabled user of the same token version, active recently', () => {
    expect(judgeAdminSession(signedIn(), user, now, limits)).toEqual({ keep: true, touch: true });
  });

  it('records activity at most once a minute', () => {
    expect(judgeAdminSession(signedIn({ lastSeenAt: now - TOUCH_GRANULARITY_MS + 1 }), user, now, limits)).toEqual({ keep: true, touch: false });
  });

  it('keeps a session that has not signed in yet (the login page)', () => {
    expect(judgeAdminSession({}, null, now, limits)).toEqual({ keep: true, touch: false });
  });

  it.each([
    ['the user is disabled', signedIn(), { active: false, tokenVersion: 3 }, 'revoked'],
    ['the token version moved on (password, disable, roles)', signedIn(), { active: true, tokenVersion: 4 }, 'revoked'],
    ['the user is gone', signedIn(), null, 'revoked'],
    ['idle longer than the limit', signedIn({ lastSeenAt: now - minutes(31) }), user, 'idle'],
    ['past the absolute limit, however busy', signedIn({ signedInAt: now - minutes(12 * 60 + 1), lastSeenAt: now }), user, 'expired'],
    ['signed in without a stamp (before stamps existed)', { adminUser: { id: 'u1' } }, user, 'unstamped'],
  ])('ends a session when %s', (_, session, current, reason) => {
    expect(judgeAdminSession(session, current, now, limits)).toEqual({ keep: false, reason });
  });
});
