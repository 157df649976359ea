import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseBusy, isDatabaseUnavailable, OutageNotice, retryWhileUnavailable } from '../../../src/database/connection-errors';
import { TaskFailedError } from '../../../src/workflow/engine-step';

/** An error as pg makes it from a server's ErrorResponse. */
const serverError = (code: string, message: string) => Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity: 'FATAL' });
/** What TypeORM throws for a failed query: the driver's error inside. */
const failedQuery = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a fast shutdown (57P01), as TypeORM wraps it', failedQuery(serverError('57P01', 'terminating connection due to administrator command'))],
    ['a crash of another backend (57P02)', serverError('57P02', 'terminating connection because of crash of another server process')],
    ['a server starting or stopping (57P03)', failedQuery(serverError('57P03', 'the database system is shutting down'))],
    ['a connection exception (class 08)', serverError('08006', 'connection failure')],
    ['too many connections (53300)', serverError('53300', 'sorry, too many clients already')],
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', failedQuery(socketError('ECONNRESET'))],
    ['a refused connection on every address (AggregateError)', Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], ''), {})],
    ['a connection lost mid-query', failedQuery(new Error('Connection terminated unexpectedly'))],
    ['no new connection within the connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a client whose connection failed', new Error('Client has encountered a connection error and is not queryable')],
    ['the next statement of a transaction whose connection failed', new QueryRunnerAlreadyReleasedError()],
    ['a query through a manager whose connection failed', new QueryRunnerProviderAlreadyReleasedError()],
    ['a workflow task failed by one', new TaskFailedError('Task_Reserve', 'stock.reserve', 3, new QueryRunnerProviderAlreadyReleasedError())],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', failedQuery(serverError('23505', 'duplicate key value violates unique constraint'))],
    ['a value of the wrong form', failedQuery(serverError('22P02', 'invalid input syntax for type uuid'))],
    ['a missing table', failedQuery(serverError('42P01', 'relation "nope" does not exist'))],
    ['a deadlock', serverError('40P01', 'deadlock detected')],
    ['a statement cut off by statement_timeout (busy, see isDatabaseBusy)', failedQuery(serverError('57014', 'canceling statement due to statement timeout'))],
    ['every pooled connection busy (see isDatabaseBusy)', new Error('timeout exceeded when trying to connect')],
    ['a plain error', new Error('something else')],
    ['a task failed by its own rule', new TaskFailedError('Task_Reserve', 'stock.reserve', 3, new Error('no stock'))],
    ['not an error at all', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('does not take %s for an outage', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('is not fooled by an error that wraps itself', () => {
    const error = Object.assign(new Error('loop'), {}) as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isDatabaseBusy', () => {
  it('recognises a statement cut off by statement_timeout and a pool with no connection free in time, and nothing else', () => {
    expect(isDatabaseBusy(failedQuery(serverError('57014', 'canceling statement due to statement timeout')))).toBe(true);
    expect(isDatabaseBusy(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseBusy(failedQuery(serverError('57P01', 'terminating connection due to administrator command')))).toBe(false);
    expect(isDatabaseBusy(new Error('canceling statement due to statement timeout'))).toBe(false);
  });
});

describe('retryWhileUnavailable', () => {
  it('tries again while the database is out of reach and returns the first success', async () => {
    let calls = 0;
    const result = await retryWhileUnavailable(async () => {
      calls++;
      if (calls < 3) throw socketError('ECONNREFUSED');
      return 'recorded';
    }, 5000);
    expect(result).toBe('recorded');
    expect(calls).toBe(3);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const refused = failedQuery(serverError('23505', 'duplicate key'));
    await expect(
      retryWhileUnavailable(async () => {
        calls++;
        throw refused;
      }, 5000),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up with the outage error once its time is used up', async () => {
    const lost = socketError('ECONNREFUSED');
    await expect(retryWhileUnavailable(() => Promise.reject(lost), 250)).rejects.toBe(lost);
  });
});

describe('OutageNotice', () => {
  it('logs an outage once when it starts and once when the database answers again, and leaves other errors to the caller', () => {
    const lines: string[] = [];
    const notice = new OutageNotice({ warn: (line) => lines.push(`warn ${line}`), log: (line) => lines.push(`log ${line}`) }, 'job loop');
    expect(notice.noted(new Error('a bug'))).toBe(false);
    expect(notice.ongoing).toBe(false);
    expect(notice.noted(socketError('ECONNREFUSED'))).toBe(true);
    expect(notice.noted(socketError('ECONNREFUSED'))).toBe(true);
    expect(notice.ongoing).toBe(true);
    notice.over();
    notice.over();
    expect(notice.ongoing).toBe(false);
    expect(lines).toEqual([expect.stringMatching(/^warn job loop: the database is out of reach \(connect ECONNREFUSED/), expect.stringMatching(/^log job loop: the database answers again after \d+ s$/)]);
  });
});
