import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { type ErrorDetail, ValidationError } from './errors';

/** `lines[0].quantity` style paths for nested class-validator errors. */
export function flattenValidationErrors(errors: ClassValidatorError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : parent ? `.${error.property}` : error.property;
    const path = `${parent}${segment}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message: message.replace(/^(\S+\.)*/, '') }));
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/** Unknown fields and wrong types are 422 validation_failed with every problem listed (API.md). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ValidationError.listing(flattenValidationErrors(errors)),
  });
}

/** PostgreSQL's `integer`: ids and counters in such a column beyond this are a 500 there, a 422 here. */
export const MAX_INTEGER_COLUMN = 2_147_483_647;

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * `2026-11-25` or `2026-11-25T10:30[:00[.000]][Z|+08:00]` (T or a space) naming a day and time that exist: 2026-02-30, month 13,
 * hour 24 or year 0 are refused here (PostgreSQL would refuse them with a 500), as are ISO's week and ordinal forms.
 */
export function isRealIsoTime(value: unknown, { dateOnly = false } = {}): boolean {
  if (typeof value !== 'string') return false;
  const match = ISO_TIME.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, zone, zoneHours, zoneMinutes] = match;
  if (dateOnly && hour !== undefined) return false;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const realDay = Number(year) >= 1 && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  const realTime = hour === undefined || (Number(hour) <= 23 && Number(minute) <= 59 && Number(second ?? 0) <= 59);
  const realZone = zone === undefined || zone === 'Z' || (Number(zoneHours) <= 14 && Number(zoneMinutes) <= 59);
  return realDay && realTime && realZone;
}

/** A real date or date-time (see isRealIsoTime). */
export function IsIsoTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isIsoTime', validator: { validate: (value) => isRealIsoTime(value), defaultMessage: () => 'must be a real ISO 8601 time like 2026-11-25T10:30:00+08:00' } }, options);
}

/** A real calendar day as YYYY-MM-DD. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isCalendarDate', validator: { validate: (value) => isRealIsoTime(value, { dateOnly: true }), defaultMessage: () => 'must be a real calendar date as YYYY-MM-DD' } }, options);
}
