/**
 * What the order list's batch actions and the customers page answer their React components (issue 14 items 6-7):
 * the server's side of components/batch-action.tsx (the customers page answers customers-page.ts's CustomersPageData).
 */
import type { CustomerDetail, CustomerSummary } from '../customers/customer-views';
import type { BatchResult } from '../orders/order-batch-result';

/** A field of a batch action's form; labels are `ui.lists.*` keys the component translates. */
export interface BatchField {
  name: string;
  /** `ui.lists.field.<labelKey>` */
  labelKey: string;
  kind: 'select' | 'textarea';
  required?: boolean;
  options?: Array<{ value: string; label: string }>;
  /** `ui.lists.field.<helpKey>` */
  helpKey?: string;
}

export interface BatchPage {
  action: 'approve' | 'allocate' | 'ship' | 'print';
  fields: BatchField[];
  values: Record<string, string>;
  /** print: the documents' URL without `document=` (the component adds the chosen one). */
  downloadUrl?: string;
  /** The outcome of the batch (after POST). */
  result?: BatchResult;
  /** The list to go back to. */
  listUrl: string;
}

/** What the customers page (customers-page.ts) answers its component. */
export interface CustomersPageData {
  refused?: boolean;
  mayAmend?: boolean;
  q?: string;
  page?: number;
  pageSize?: number;
  total?: number;
  items?: CustomerSummary[];
  customer?: CustomerDetail;
  problem?: string;
  fieldErrors?: Record<string, string>;
}
