import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseBusy, isDatabaseUnavailable } from '../database/connection-errors';
import { AppError, type ErrorCode, type ErrorDetail, RateLimitedError } from './errors';
import { REQUEST_ID_HEADER } from './request-context';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** PostgreSQL's data exceptions (class 22) that only a client's value causes, with what they mean to the client. */
const VALUE_REFUSALS: Record<string, string> = {
  '22001': 'a text is longer than its field allows',
  '22003': 'a number is out of range',
  '22007': 'a date or time is not valid',
  '22008': 'a date or time is out of range',
  '22021': 'a text contains a character that cannot be stored (such as NUL)',
  '22P02': 'a value has the wrong form for its field',
  '22P05': 'a text contains a character that cannot be stored (such as NUL)',
};

function refusedByDatabase(exception: unknown): string | undefined {
  const error = (exception as { driverError?: { code?: unknown }; code?: unknown } | null) ?? {};
  const code = (error.driverError ?? error).code;
  return typeof code === 'string' ? VALUE_REFUSALS[code] : undefined;
}

/** A lost database is logged at most this often by the filter (every request fails alike meanwhile). */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

interface ErrorAnswer {
  status: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  retryAfterSeconds?: number;
}

/** Shapes every error of the API as `{error: {code, message, details?}}` (API.md "Conventions"). */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private outageLoggedAt = 0;
  private unavailableSinceLog = 0;

  /** `retryAfterSeconds`: what a 503 for a database out of reach tells the client (RETRY_AFTER_SECONDS). */
  constructor(private readonly options: { retryAfterSeconds: number } = { retryAfterSeconds: 5 }) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const route = `${request.method} ${request.originalUrl?.slice(0, 200)}`;
    const { status, code, message, details, retryAfterSeconds } = this.describe(exception, route);
    // the id the caller got in X-Request-Id: what they quote when they report the failure
    const requestId = response.getHeader(REQUEST_ID_HEADER);
    // a lost database is logged by describe(), once in a while, not with a stack per request
    if (status >= 500 && code !== 'service_unavailable') this.logger.error(`${route} (request ${requestId}): ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    // what the response said, for whoever counts refusals after it is sent (the intake metrics)
    response.locals.errorCode = code;
    if (response.headersSent) return;
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    response.status(status).json({ error: { code, message, ...(details?.length ? { details } : {}) } });
  }

  private describe(exception: unknown, route: string): ErrorAnswer {
    if (isDatabaseUnavailable(exception)) {
      // PostgreSQL restarting or out of reach: the request may succeed in a moment (intake is idempotent by channel and
      // externalId, so a retry cannot make a second order even when the COMMIT's answer was what got lost)
      this.noteOutage(route, exception);
      return {
        status: 503,
        code: 'service_unavailable',
        message: 'The database is out of reach for the moment; try again after the time in Retry-After',
        retryAfterSeconds: this.options.retryAfterSeconds,
      };
    }
    if (isDatabaseBusy(exception)) {
      // past DATABASE_STATEMENT_TIMEOUT_MS or DATABASE_CONNECT_TIMEOUT_MS (overloaded, or a lock held long): bounded, and worth a later try
      this.logger.warn(`${route}: 503, the database did not serve in time: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
      return {
        status: 503,
        code: 'service_unavailable',
        message: 'The database is too busy to answer in time; try again after the time in Retry-After',
        retryAfterSeconds: this.options.retryAfterSeconds,
      };
    }
    if (exception instanceof RateLimitedError) {
      return { status: 429, code: exception.code, message: exception.message, retryAfterSeconds: exception.retryAfterSeconds };
    }
    const refusedValue = refusedByDatabase(exception);
    if (refusedValue) {
      // the validation in front of the service missed a value the column cannot hold: still the client's input, not our fault
      this.logger.warn(`${route}: a value reached the database unchecked: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
      return { status: 422, code: 'validation_failed', message: `The request has a value the database cannot store: ${refusedValue}` };
    }
    if (exception instanceof AppError) {
      return { status: exception.status, code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      if (status === 400 && /JSON|Unexpected token|position/i.test(message)) {
        return { status, code: 'bad_request', message: 'The request body is not valid JSON' };
      }
      return { status, code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'), message };
    }
    // body-parser errors reach us as plain errors carrying a status
    const parserError = exception as { status?: number; type?: string; message?: string };
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      const message = parserError.type === 'entity.parse.failed' ? 'The request body is not valid JSON' : (parserError.message ?? 'Bad request');
      return { status: parserError.status, code: CODE_BY_STATUS[parserError.status] ?? 'bad_request', message };
    }
    return { status: 500, code: 'internal_error', message: 'Something went wrong on our side; it has been logged' };
  }

  private noteOutage(route: string, exception: unknown): void {
    this.unavailableSinceLog++;
    if (Date.now() - this.outageLoggedAt < OUTAGE_LOG_INTERVAL_MS) return;
    const reason = exception instanceof Error ? exception.message : String(exception);
    this.logger.warn(`${route}: 503, the database is out of reach (${reason}); ${this.unavailableSinceLog} request(s) answered 503 since the last such line`);
    this.outageLoggedAt = Date.now();
    this.unavailableSinceLog = 0;
  }
}
