import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What every log line written while handling one HTTP request carries. */
interface RequestContext {
  requestId: string;
}

const context = new AsyncLocalStorage<RequestContext>();

/**
 * A caller's own id (a proxy's or a client's) is kept when it is a short token of plain characters: it is written into
 * every log line and echoed in a header, so anything longer or stranger (newlines, quotes, 1 KB) is replaced by ours.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The id of the HTTP request being handled, or undefined outside one (job workers, start-up). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/**
 * Express middleware, mounted first: gives the request its id, echoes it in X-Request-Id, and runs the rest of the
 * request inside its context (the body parsers keep the context across their stream events).
 */
export function assignRequestId(request: Request, response: Response, next: NextFunction): void {
  const requestId = requestIdFrom(request.headers['x-request-id']);
  response.setHeader(REQUEST_ID_HEADER, requestId);
  context.run({ requestId }, next);
}
