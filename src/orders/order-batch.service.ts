import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors';
import { ALLOCATABLE_STATUSES, APPROVABLE_STATUSES, type OrderStatus, SHIPPABLE_STATUSES } from './order-status';
import type { BatchItemResult, BatchResult } from './order-batch-result';
import type { OrderView } from './order-view';
import { OrdersService } from './orders.service';

/** What an operator can do to many orders at once (issue 14 item 6), and the statuses each one applies to. */
export const BATCH_ACTIONS = {
  approve: { permission: 'orders.approve', statuses: APPROVABLE_STATUSES },
  allocate: { permission: 'orders.write', statuses: ALLOCATABLE_STATUSES },
  ship: { permission: 'shipments.write', statuses: SHIPPABLE_STATUSES },
} as const satisfies Record<string, { permission: string; statuses: readonly OrderStatus[] }>;
export type BatchAction = keyof typeof BATCH_ACTIONS;

/** The most orders one batch takes (the list shows at most 200 a page; a little room for more). */
export const MAX_BATCH = 500;

/**
 * One order's outcome: `done`; `skipped` when it was not in a status the action applies to (or the service refused it
 * as such: someone moved it meanwhile), with the status it is in; `failed` when the service refused it for another reason.
 */
export type { BatchItemResult, BatchResult };

/** How many orders a batch works on at once: each is its own transaction, so two keep both cores busy without starving the API. */
const PARALLEL = 2;
/** How long a batch (or one approval) waits for the workflow to take approved orders on before it answers. */
export const SETTLE_MS = 4_000;

/**
 * Batch actions on orders: each order goes through the very OrdersService call of the single action, in its own
 * transaction, so an order is changed wholly or not at all, and one order's refusal does not stop the others. The
 * caller checks the single action's permission first (the admin's actAs).
 */
@Injectable()
export class OrderBatchService {
  private readonly logger = new Logger(OrderBatchService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
  ) {}

  /**
   * Runs `act` on every order of `ids` that is in one of the action's statuses; answers each order's outcome in the
   * order of `ids`. `act` is the single action's service call.
   */
  async run(action: BatchAction, ids: readonly string[], act: (order: { id: string; number: string }) => Promise<OrderView | string>): Promise<BatchResult> {
    const unique = [...new Set(ids)].slice(0, MAX_BATCH);
    const found = new Map(
      ((await this.db.query(`SELECT id, number, status FROM customer_order WHERE id = ANY($1::uuid[])`, [unique])) as Array<{ id: string; number: string; status: OrderStatus }>).map(
        (row) => [row.id, row],
      ),
    );
    const statuses: readonly OrderStatus[] = BATCH_ACTIONS[action].statuses;
    const results = new Map<string, BatchItemResult>();
    const queue = unique.filter((id) => {
      const order = found.get(id);
      if (!order) results.set(id, { id, number: '', outcome: 'failed', status: null, message: 'not found' });
      else if (!statuses.includes(order.status)) results.set(id, { id, number: order.number, outcome: 'skipped', status: order.status, message: `is ${order.status}` });
      return order !== undefined && statuses.includes(order.status);
    });
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const order = found.get(id)!;
        results.set(id, await this.one(order, act));
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    if (action !== 'ship') await this.settle([...results.values()].filter((r) => r.outcome === 'done').map((r) => r.id));
    // the statuses as they are now: the workflow moves approved and allocated orders on by itself
    const now = new Map(
      ((await this.db.query(`SELECT id, status FROM customer_order WHERE id = ANY($1::uuid[])`, [unique])) as Array<{ id: string; status: OrderStatus }>).map((row) => [row.id, row.status]),
    );
    const items = unique.map((id) => ({ ...results.get(id)!, status: now.get(id) ?? null }));
    const count = (outcome: BatchItemResult['outcome']) => items.filter((item) => item.outcome === outcome).length;
    return { action, done: count('done'), skipped: count('skipped'), failed: count('failed'), items };
  }

  private async one(order: { id: string; number: string; status: OrderStatus }, act: (order: { id: string; number: string }) => Promise<OrderView | string>): Promise<BatchItemResult> {
    try {
      const done = await act(order);
      return { id: order.id, number: order.number, outcome: 'done', status: typeof done === 'string' ? order.status : done.status, message: typeof done === 'string' ? done : '' };
    } catch (error) {
      if (error instanceof AppError) {
        // invalid_state: someone else moved it since the list was read; its status says where it is
        return { id: order.id, number: order.number, outcome: error.code === 'invalid_state' ? 'skipped' : 'failed', status: order.status, message: error.message };
      }
      // one order's unexpected failure must not lose the outcome of the others; it is logged with its stack
      this.logger.error(`batch action on order ${order.number} failed: ${(error as Error).stack ?? String(error)}`);
      return { id: order.id, number: order.number, outcome: 'failed', status: order.status, message: 'unexpected error (logged)' };
    }
  }

  /**
   * Waits (at most `timeoutMs`) until the workflow has taken the approved orders of `ids` on: an approval is recorded at
   * once, but the order leaves pending_review only when its process reserves the stock, a step later. So a screen that
   * shows the orders right after an approval shows where they went, not pending_review (issue 14 item 6).
   */
  async settle(ids: readonly string[], timeoutMs = SETTLE_MS): Promise<void> {
    if (ids.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [{ waiting }] = (await this.db.query(
        `SELECT count(*)::int AS waiting FROM customer_order WHERE id = ANY($1::uuid[]) AND status = 'pending_review' AND approved_at IS NOT NULL`,
        [ids],
      )) as Array<{ waiting: number }>;
      if (waiting === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}
