/**
 * The ISO 8601 forms a BPMN timer may use (DESIGN "Timers from ISO 8601"), read by @0dep/piso exactly as bpmn-elements'
 * TimerEventDefinition reads them at run time (`new ISOInterval(value).parse().getExpireAt(now, now)` for durations and
 * cycles, `getDate(value)` for dates), so that what validates is what runs. Within what piso reads, we ask for:
 *   duration   a duration alone: P1D, PT15M, P1Y2M3DT4H5M6.5S, P2W, P0.5D
 *   date-time  a date with a time and an offset or Z: 2025-01-01T09:00:00Z, 2025-01-01T09:00+02:00 (a local time would
 *              depend on the server's time zone)
 *   cycle      R[n]/<duration> or R[n]/<date-time>/<duration>, the date-time as above
 */
import { getDate, ISODate, ISOInterval } from '@0dep/piso';

/** piso's interval parts (its ISOIntervalType flags). */
const REPEAT = 1;
const START = 2;
const DURATION = 4;

/** The interval as bpmn-elements reads a timeDuration / timeCycle, or undefined when it cannot arm a timer from it. */
function interval(value: string): ISOInterval | undefined {
  try {
    const parsed = new ISOInterval(value).parse();
    const now = new Date();
    return Number.isNaN(parsed.getExpireAt(now, now).getTime()) ? undefined : parsed;
  } catch {
    return undefined;
  }
}

const hasTimeAndOffset = (date: ISODate) => date.result.H !== undefined && date.result.Z !== undefined;

export function isIsoDuration(value: string): boolean {
  return interval(value)?.type === DURATION;
}

export function isIsoDateTime(value: string): boolean {
  try {
    return !Number.isNaN(getDate(value).getTime()) && hasTimeAndOffset(new ISODate(value).parse());
  } catch {
    return false;
  }
}

export function isIsoCycle(value: string): boolean {
  const parsed = interval(value);
  if (parsed?.type === (REPEAT | DURATION)) return true;
  return parsed?.type === (REPEAT | START | DURATION) && hasTimeAndOffset(parsed.start!);
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
