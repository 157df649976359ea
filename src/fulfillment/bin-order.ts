/**
 * G1.4: walking order through the warehouse. Bin codes are zone-aisle-shelf-level (`A-2-10-1`); numbers compare as
 * numbers (`A-2-10-1` before `A-10-1-1`), letters case-insensitively, and lines without a bin come last.
 */
export function compareBins(a: string | null | undefined, b: string | null | undefined): number {
  const left = a?.trim() || null;
  const right = b?.trim() || null;
  if (left === null || right === null) return left === right ? 0 : left === null ? 1 : -1;
  const leftParts = binSegments(left);
  const rightParts = binSegments(right);
  for (let i = 0; i < Math.min(leftParts.length, rightParts.length); i++) {
    const order = compareSegment(leftParts[i], rightParts[i]);
    if (order !== 0) return order;
  }
  return leftParts.length - rightParts.length || (left < right ? -1 : left > right ? 1 : 0);
}

/** `A-02-10-1` → ['a', 2, 10, 1]: separators (-, _, ., /, space) only split; a digit run is one number. */
function binSegments(bin: string): Array<string | bigint> {
  return (bin.toLowerCase().match(/\d+|[^\d\s._/-]+/g) ?? []).map((part) => (/^\d+$/.test(part) ? BigInt(part) : part));
}

function compareSegment(a: string | bigint, b: string | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint') return -1; // numbers before letters, as in a plain natural sort
  if (typeof b === 'bigint') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
