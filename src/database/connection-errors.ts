import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/**
 * PostgreSQL cannot be reached right now (restart, failover, network cut), as opposed to a statement it refused. What failed this way may work when tried again: the API
 * answers 503 with Retry-After, and the background workers wait and try again instead of counting a failure.
 */

/** SQLSTATEs of a server going away or not taking connections (class 08 is matched as a whole). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminated by a fast shutdown or pg_terminate_backend
  '57P02', // crash_shutdown: another backend crashed, every session is reset
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);

/** Socket errors of the driver (Node's errno codes). */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** What pg and pg-pool throw without a code when a connection is lost or cannot be opened in time. */
const UNAVAILABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Query read timeout)/;

/** pg-pool's answer when every pooled connection stayed busy for DATABASE_CONNECT_TIMEOUT_MS. */
const POOL_EXHAUSTED_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * TypeORM releases a query runner whose connection failed (pg's 'error' event): the statements after that in the same
 * transaction (the next query, COMMIT) fail with these instead of the connection's own error.
 */
const RELEASED_BY_A_LOST_CONNECTION = [QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Whether `error` or what it wraps (TypeORM's QueryFailedError.driverError, a cause, an AggregateError's errors) is `what`. */
function wraps(error: unknown, what: (error: object & ErrorLike) => boolean, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  if (what(error)) return true;
  const { driverError, cause, errors } = error as ErrorLike;
  const wrapped = [driverError, cause, ...(Array.isArray(errors) ? errors : [])];
  return wrapped.some((inner) => inner !== error && wraps(inner, what, depth + 1));
}

/** True when `error` (or what it wraps) says the database is out of reach. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return wraps(error, (candidate) => {
    if (RELEASED_BY_A_LOST_CONNECTION.some((type) => candidate instanceof type)) return true;
    const { code, message } = candidate;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
    return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
  });
}

/**
 * The database is reachable but did not serve in time: a statement cut off (query_canceled: statement_timeout,
 * DATABASE_STATEMENT_TIMEOUT_MS, or a cancel), or no pooled connection free within DATABASE_CONNECT_TIMEOUT_MS. A request
 * may well work a moment later (503), but it is no outage: a worker counts it as the step's failure, or a step that
 * always takes too long (or waits for a second connection it can never get) would be tried forever.
 */
export function isDatabaseBusy(error: unknown): boolean {
  return wraps(error, (candidate) => candidate.code === '57014' || candidate.message === POOL_EXHAUSTED_MESSAGE);
}

/**
 * Runs `operation`, trying again while the database is out of reach, for at most `withinMs`; any other error, or the
 * time running out, is thrown. For writes that record what already happened outside the database (a message handed to
 * the mail server): lost, the outbox would send it again once its lease ran out. The operation must be safe to repeat,
 * since a COMMIT whose answer was lost may have taken effect.
 */
export async function retryWhileUnavailable<T>(operation: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await operation();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * For a background loop (job worker, outbox, stock sweep): a lost database is logged once when it goes and once when it
 * is back, not with a stack trace on every poll while PostgreSQL restarts.
 */
export class OutageNotice {
  private since?: number;

  constructor(
    private readonly log: { warn(message: string): void; log(message: string): void },
    private readonly what: string,
  ) {}

  /** Whether the database is out of reach as far as this loop saw last. */
  get ongoing(): boolean {
    return this.since !== undefined;
  }

  /** True when `error` says the database is out of reach (logged on the first one of an outage); false for any other error. */
  noted(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.since === undefined) {
      this.since = Date.now();
      this.log.warn(`${this.what}: the database is out of reach (${(error as Error).message}); trying again until it answers`);
    }
    return true;
  }

  /** The database answered again. */
  over(): void {
    if (this.since === undefined) return;
    this.log.log(`${this.what}: the database answers again after ${Math.round((Date.now() - this.since) / 1000)} s`);
    this.since = undefined;
  }
}
