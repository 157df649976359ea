import { getDate, ISOInterval } from '@0dep/piso';
import { isIsoDuration } from './validation/iso8601';

/**
 * A user task's due time: its absolute due date (`zeebe:taskSchedule dueDate`, `camunda:dueDate`: an ISO 8601 date or
 * date-time, UTC when it gives no offset), else `oms:dueIn`, an ISO 8601 duration from now (PT4H, P2D, P1W). Read by
 * @0dep/piso, as the timers are. Null when neither gives a time (an expression, a typo): the task is then never overdue.
 */
export function dueAtOf(dueIn: string | undefined, dueDate: string | undefined, now = new Date()): Date | null {
  if (dueDate) {
    try {
      const at = getDate(dueDate, true);
      if (!Number.isNaN(at.getTime())) return at;
    } catch {
      // not an ISO 8601 date: fall back on dueIn
    }
  }
  return dueIn && isIsoDuration(dueIn) ? new ISOInterval(dueIn).parse().getExpireAt(now, now) : null;
}
