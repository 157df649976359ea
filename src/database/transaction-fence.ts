import type { EntityManager } from 'typeorm';

/**
 * Closes a transaction to everything but its own end. A workflow step that timed out or failed is rolled back while a
 * handler may still be running (the engine is stopped, not the handler's promise); without the fence, that handler's next
 * statement would run on the same connection after the ROLLBACK, in autocommit, and commit an effect of a step that never
 * happened — the step would then run again and do it twice. After close(), every statement but COMMIT / ROLLBACK fails,
 * except those sent through `owner`.
 */
export function fenceTransaction(manager: EntityManager): { close(): void; owner: Pick<EntityManager, 'query'> } {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('a fence needs a transaction');
  const query = runner.query.bind(runner);
  let open = true;
  runner.query = ((text: string, ...rest: unknown[]) => {
    if (open || /^\s*(COMMIT|ROLLBACK)\s*$/i.test(text)) return (query as (...args: unknown[]) => unknown)(text, ...rest);
    return Promise.reject(new Error('this step has ended: its transaction takes no more statements'));
  }) as typeof runner.query;
  return {
    close: () => {
      open = false;
    },
    // the one who fenced it still writes through (e.g. a failed step's outcome after a rollback to a savepoint)
    owner: { query: query as EntityManager['query'] },
  };
}
