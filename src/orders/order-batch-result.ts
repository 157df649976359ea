import type { OrderStatus } from './order-status';

/** One order's outcome in a batch action (issue 14 item 6); its own file so the admin's components can import it. */
export interface BatchItemResult {
  id: string;
  number: string;
  outcome: 'done' | 'skipped' | 'failed';
  /** The status it is in after the batch (after the workflow's next steps where they ran in time). */
  status: OrderStatus | null;
  /** Why it was skipped or failed (the service's message), or what was done. */
  message: string;
}

/** A batch's outcome: counts and each order's. */
export interface BatchResult {
  action: 'approve' | 'allocate' | 'ship';
  done: number;
  skipped: number;
  failed: number;
  items: BatchItemResult[];
}
