import type { EntityManager } from 'typeorm';

/**
 * Runs `callback` once the manager's transaction has committed (or rolled back), at once outside a transaction. TypeORM
 * has no after-commit hook on a query runner, so its state is polled briefly. For wake-ups only: what must not be lost
 * is a row written in the transaction, which someone else finds if this never runs.
 */
export function afterCommit(manager: EntityManager, callback: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    setImmediate(callback);
    return;
  }
  const check = () => (runner.isTransactionActive ? setTimeout(check, 5) : callback());
  setTimeout(check, 5);
}
