/**
 * Money is a decimal string with two places ("129.00") in the API and numeric(12,2) in the database.
 * Arithmetic happens on integer cents (bigint) so no float ever touches an amount (DESIGN "Data rules").
 */
const MONEY_PATTERN = /^-?\d{1,10}(\.\d{1,2})?$/;

/** The largest amount numeric(12,2) holds: 9999999999.99. */
export const MAX_MONEY_CENTS = 999_999_999_999n;

export function isMoney(value: unknown): value is string {
  return typeof value === 'string' && MONEY_PATTERN.test(value);
}

export function toCents(value: string): bigint {
  if (!isMoney(value)) throw new RangeError(`not a money amount: ${value}`);
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return negative ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const absolute = negative ? -cents : cents;
  const text = `${absolute / 100n}.${(absolute % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Normalises what PostgreSQL returns for numeric(12,2) ("129.5" never happens, but be strict). */
export function normaliseMoney(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return fromCents(toCents(typeof value === 'number' ? value.toFixed(2) : value));
}

export function sumMoney(values: string[]): string {
  return fromCents(values.reduce((total, value) => total + toCents(value), 0n));
}

export function multiplyMoney(value: string, quantity: number): string {
  return fromCents(toCents(value) * BigInt(quantity));
}
