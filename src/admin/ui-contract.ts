/**
 * What the admin's order screens send to their React components (src/admin/components) and get back: plain data only,
 * so that both the server and the browser bundle compile this file.
 */

export type FormFieldKind = 'text' | 'textarea' | 'select' | 'integer' | 'money' | 'datetime' | 'rows';

export interface FormField {
  /** The value's path in the submitted payload (`customer.phone`); a `rows` field's columns are relative to a row. */
  name: string;
  label: string;
  kind: FormFieldKind;
  required?: boolean;
  /** Shown and sent back, not editable (the sku of a row the operator gives a quantity for). */
  readOnly?: boolean;
  /** Shown only, never sent back (the quantity ordered beside the quantity to ship). */
  displayOnly?: boolean;
  help?: string;
  options?: Array<{ value: string; label: string }>;
  /** `rows`: the columns of one row (lines of an order). */
  columns?: FormField[];
  /** `rows`: the rows are given (one per line of the order); none can be added or removed. */
  fixedRows?: boolean;
}

export interface FormSection {
  title?: string;
  fields: FormField[];
}

/** A record or resource action's form, answered by the action's GET. */
export interface ActionForm {
  title: string;
  /** What submitting does, in the operator's words. */
  intro?: string;
  sections: FormSection[];
  /** Initial values, nested like the payload (`{ customer: { phone } , lines: [{ sku }] }`). */
  values: Record<string, unknown>;
  submitLabel: string;
  variant?: 'primary' | 'danger';
  /** Set when the action cannot be done now: the form is not shown, this is. */
  blocked?: string;
}

/** What a form action's POST answers besides AdminJS's `record` / `notice` / `redirectUrl`. */
export interface FormActionResult {
  /** Problems by field path (`lines.0.quantity`), shown beside the fields. */
  fieldErrors?: Record<string, string>;
}

/** The order detail page (G2.5): the order as OrdersService shows it, its shipments' alerts and its process. */
export interface OrderDetail {
  id: string;
  number: string;
  status: string;
  channel: string;
  externalId: string;
  placedAt: string;
  updatedAt: string;
  flags: Array<{ code: string; message: string }>;
  customer: { name: string; phone: string; email: string | null };
  address: string;
  notes: string | null;
  lines: Array<{ sku: string; name: string; quantity: number; unitPrice: string; reserved: number; shipped: number }>;
  totals: { items: string; shipping: string; grand: string };
  payment: { method: string; status: string; amount: string | null; reference: string | null; paidAt: string | null };
  approvedBy: string | null;
  shipments: Array<{
    id: string;
    warehouse: string;
    status: string;
    carrier: string | null;
    trackingNumber: string | null;
    trackingUrl: string | null;
    allocationReason: string | null;
    lines: Array<{ sku: string; quantity: number }>;
    events: Array<{ at: string; status: string; location: string | null; description: string | null }>;
  }>;
  alerts: Array<{ id: string; kind: string; message: string; shipmentId: string; createdAt: string }>;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  /** The process instance: its diagram page, and its admin record; null links where the admin may not open them. */
  process: { instanceId: string; diagramUrl: string | null; recordUrl: string | null } | null;
}

/** The orders-by-status block (dashboard and the order list's "By status" page). */
export interface StatusCounts {
  total: number;
  statuses: Array<{ status: string; label: string; count: number; url: string }>;
  /** Work queues across statuses (to review, to ship, ...). */
  queues: Array<{ label: string; count: number; url: string }>;
}
