import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, type ErrorCode, type ErrorDetail, RateLimitedError } from './errors';

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

/** Shapes every error of the API as `{error: {code, message, details?}}` (API.md "Conventions"). */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message, details } = this.describe(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (exception instanceof RateLimitedError) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (response.headersSent) return;
    response.status(status).json({ error: { code, message, ...(details?.length ? { details } : {}) } });
  }

  private describe(exception: unknown): { status: number; code: ErrorCode; message: string; details?: ErrorDetail[] } {
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
}
