/** A user task's due time: `oms:dueIn` as an ISO 8601 duration from now (PT4H, P2D), or an absolute date. */
export function dueAtOf(dueIn: string | undefined, dueDate: string | undefined): Date | null {
  if (dueDate && !Number.isNaN(Date.parse(dueDate))) return new Date(dueDate);
  const match = dueIn ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(dueIn) : null;
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return new Date(Date.now() + (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}
