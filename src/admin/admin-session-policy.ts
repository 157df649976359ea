/** What an admin session records about its sign-in (beside AdminJS's `adminUser`), set at login by AdminIdentity. */
export interface SignInStamp {
  userId: string;
  /** The user's token version at sign-in: a password change, a disable or a role change moves it on. */
  tokenVersion: number;
  signedInAt: number;
  /** Refreshed at most once a TOUCH_GRANULARITY_MS (a write a minute, not a write per request). */
  lastSeenAt: number;
}

/** The session's user as the database has it now (null: no such user). */
export interface SessionUserNow {
  active: boolean;
  tokenVersion: number;
}

export interface SessionLimits {
  /** Settings `security.adminSessionIdleMinutes`. */
  idleMinutes: number;
  /** ACCESS_TOKEN_TTL_MINUTES: no admin session outlives an access token. */
  absoluteMinutes: number;
}

export type SessionEnd = 'revoked' | 'idle' | 'expired' | 'unstamped';
export type SessionVerdict = { keep: true; touch: boolean } | { keep: false; reason: SessionEnd };

export const TOUCH_GRANULARITY_MS = 60_000;

/**
 * Issue 11 item 3: whether a stored admin session may serve this request, decided on every request. A signed-in
 * session ends when its user was disabled or their token version moved on (password, disable, roles), after
 * `idleMinutes` without a request, and `absoluteMinutes` after sign-in. Sessions without a sign-in stay (the login page).
 */
export function judgeAdminSession(
  session: { adminUser?: unknown; oms?: Partial<SignInStamp> },
  user: SessionUserNow | null,
  now: number,
  limits: SessionLimits,
): SessionVerdict {
  if (!session.adminUser && !session.oms) return { keep: true, touch: false };
  const stamp = session.oms;
  if (!stamp || typeof stamp.signedInAt !== 'number' || typeof stamp.lastSeenAt !== 'number' || typeof stamp.tokenVersion !== 'number') {
    return { keep: false, reason: 'unstamped' }; // signed in before sessions were stamped: sign in again
  }
  if (!user || !user.active || user.tokenVersion !== stamp.tokenVersion) return { keep: false, reason: 'revoked' };
  if (now - stamp.signedInAt > limits.absoluteMinutes * 60_000) return { keep: false, reason: 'expired' };
  if (now - stamp.lastSeenAt > limits.idleMinutes * 60_000) return { keep: false, reason: 'idle' };
  return { keep: true, touch: now - stamp.lastSeenAt >= TOUCH_GRANULARITY_MS };
}
