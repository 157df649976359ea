/** What `GET /api/tasks/{id}/subject` answers (issue 14 item 9): plain types, shared with the tasklist's browser code. */

/** An order as a task shows it: enough to decide without opening another page. */
export interface OrderSubject {
  kind: 'order';
  id: string;
  number: string;
  status: string;
  customer: { name: string; phone: string };
  lines: Array<{ sku: string; name: string; quantity: number; unitPrice: string }>;
  total: string;
  flags: Array<{ code: string; message: string }>;
}

/** An after-sales case as a task shows it, with the order it is about. */
export interface CaseSubject {
  kind: 'after_sales_case';
  id: string;
  number: string;
  type: string;
  status: string;
  reason: string;
  description: string | null;
  lines: Array<{ sku: string; name: string; quantity: number }>;
  refundable: string;
  order: { number: string; status: string; customer: { name: string; phone: string } };
}

export type TaskSubject = OrderSubject | CaseSubject;
