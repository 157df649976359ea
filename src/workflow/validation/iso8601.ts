/**
 * The ISO 8601 forms a BPMN timer may use (DESIGN "Timers from ISO 8601"). Deliberately a subset of
 * what bpmn-engine's parser (@0dep/piso) accepts, so that what validates also runs:
 *   duration   P1D, PT15M, P1Y2M3DT4H5M6.5S, P2W (weeks alone); a fraction only on the smallest unit
 *   date-time  2025-01-01T09:00:00Z, 2025-01-01T09:00+02:00 (an offset or Z is required: a local time
 *              would depend on the server's time zone)
 *   cycle      R[n]/<duration> or R[n]/<date-time>/<duration>
 */

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const DURATION = new RegExp(
  String.raw`^P(?:(${NUMBER})Y)?(?:(${NUMBER})M)?(?:(${NUMBER})D)?(?:T(?:(${NUMBER})H)?(?:(${NUMBER})M)?(?:(${NUMBER})S)?)?$`,
);
const WEEKS = new RegExp(String.raw`^P${NUMBER}W$`);
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)$/;
const CYCLE = /^R(\d*)\/(.+)$/;

export function isIsoDuration(value: string): boolean {
  if (WEEKS.test(value)) return true;
  const match = DURATION.exec(value);
  if (!match) return false;
  const parts = match.slice(1);
  const present = parts.map((part, index) => (part === undefined ? -1 : index)).filter((index) => index >= 0);
  if (present.length === 0) return false; // "P" or "PT"
  if (value.endsWith('T')) return false; // "P1DT"
  // a fraction is allowed on the smallest unit given only (P0.5D, PT1.5S; not P0.5DT1H)
  return present.slice(0, -1).every((index) => !/[.,]/.test(parts[index] as string));
}

export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second = '0', , offsetHours = '0', offsetMinutes = '0'] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return (
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth &&
    Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59 &&
    Number(offsetHours) <= 14 && Number(offsetMinutes) <= 59
  );
}

export function isIsoCycle(value: string): boolean {
  const match = CYCLE.exec(value);
  if (!match) return false;
  const parts = (match[2] as string).split('/');
  if (parts.length === 1) return isIsoDuration(parts[0] as string);
  if (parts.length === 2) return isIsoDateTime(parts[0] as string) && isIsoDuration(parts[1] as string);
  return false;
}

export type TimerKind = 'timeDuration' | 'timeDate' | 'timeCycle';

/** Undefined when the value is valid for its kind, else what is expected. */
export function timerProblem(kind: TimerKind, value: string): string | undefined {
  switch (kind) {
    case 'timeDuration':
      return isIsoDuration(value) ? undefined : 'an ISO 8601 duration such as PT15M, P3D or P1DT12H';
    case 'timeDate':
      return isIsoDateTime(value) ? undefined : 'an ISO 8601 date-time with an offset or Z, such as 2025-06-01T09:00:00Z or 2025-06-01T09:00:00+02:00';
    case 'timeCycle':
      return isIsoCycle(value) ? undefined : 'an ISO 8601 repetition R[n]/<duration> or R[n]/<date-time>/<duration>, such as R3/PT10M or R/2025-06-01T09:00:00Z/P1D';
  }
}
