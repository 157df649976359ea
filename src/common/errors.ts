/** Stable error codes of API.md; a client branches on the code, a person reads the message. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'forbidden'
  | 'not_found'
  | 'invalid_state'
  | 'conflict'
  | 'validation_failed'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'service_unavailable'
  | 'internal_error'
  // issue 15 item 5: a shipment a WMS works (409 for staff), a WMS confirming outside the warehouses it runs (403)
  | 'wms_handled'
  | 'wms_not_its_warehouse';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A business failure with its HTTP status; thrown by services, shaped by the error filter. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} ${id} was not found`);
  }
}

/** The action is not allowed in the aggregate's current status (409 invalid_state). */
export class InvalidStateError extends AppError {
  constructor(message: string) {
    super(409, 'invalid_state', message);
  }
}

/** A duplicate of something that must be unique (409 conflict). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(422, 'validation_failed', message, details);
  }

  /** One problem with one field of the request. */
  static of(path: string, message: string): ValidationError {
    return ValidationError.listing([{ path, message }]);
  }

  /** Every problem of the request, each with its field path, also spelled out in the message. */
  static listing(details: ErrorDetail[]): ValidationError {
    return new ValidationError(`The request has ${details.length} problem(s): ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid bearer token is required', code: 'unauthorized' | 'invalid_credentials' = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this action', details?: ErrorDetail[]) {
    super(403, 'forbidden', message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'rate_limited', message);
  }
}

/** PostgreSQL's unique_violation, for turning a lost race on a unique key into a 409. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = (error as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string }) ?? {};
  const driver = pg.driverError ?? pg;
  return driver.code === '23505' && (constraint === undefined || driver.constraint === constraint);
}

/** PostgreSQL's numeric_value_out_of_range (e.g. on-hand beyond an integer column's 2147483647). */
export function isOutOfRange(error: unknown): boolean {
  const pg = (error as { driverError?: { code?: string }; code?: string }) ?? {};
  return (pg.driverError ?? pg).code === '22003';
}
