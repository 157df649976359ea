/**
 * What the admin's order and after-sales screens send to their React components (src/admin/components) and get back: plain data only,
 * so that both the server and the browser bundle compile this file.
 */
import type { DeliveryView, IntegrationView } from '../integrations/integration-views';

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

/** The AdminJS page where the signed-in user changes their own password (components/change-password.tsx). */
export const CHANGE_PASSWORD_PAGE = 'changePassword';

/** One choice of a CheckboxGroups property (components/checkbox-groups.tsx). */
export interface CheckboxOption {
  value: string;
  label: string;
  /** The heading it is listed under (a permission's area). */
  group?: string;
  description?: string;
}

/** A CheckboxGroups property's `custom`: fixed options, or the records of another resource (their id and title). */
export interface CheckboxOptions {
  options?: CheckboxOption[];
  optionsFrom?: string;
  /**
   * Word lists (`enums.<group>`) that put the options in the user's language: a group's heading by its name, an option's
   * label and description (detail) by its value (a value without words keeps the label and description it came with).
   */
  words?: { group?: string; label?: string; detail?: string };
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
  process: ProcessLinks | null;
  /** What the customer was sent about the order; null where the admin may not read the outbox. */
  messages: CustomerMessages | null;
}

/** A process instance: its diagram page, and its admin record; null links where the admin may not open them. */
export interface ProcessLinks {
  instanceId: string;
  diagramUrl: string | null;
  recordUrl: string | null;
}

/** The after-sales case detail page (G1.6): the case as AfterSalesService shows it, with links to its order and process. */
export interface CaseDetail {
  id: string;
  number: string;
  type: string;
  status: string;
  /** How the type is settled: whether goods come back first, refund or replacement. */
  path: { needsReturn: boolean; resolution: 'refund' | 'replacement' };
  reason: string;
  description: string | null;
  /** The order's show page; null where the admin may not open orders. */
  order: { id: string; number: string; url: string | null };
  lines: Array<{ sku: string; name: string; quantity: number }>;
  owner: string | null;
  openedBy: string;
  createdAt: string;
  closedAt: string | null;
  sla: { dueAt: string | null; overdue: boolean; escalatedAt: string | null };
  receivedWarehouse: string | null;
  inspection: { result: 'pass' | 'fail'; notes: string | null } | null;
  refund: { amount: string; reference: string | null; refundedAt: string } | null;
  /** What can still be refunded on the order (paid minus earlier refunds). */
  refundable: string;
  replacementShipments: Array<{ id: string; warehouse: string; status: string; carrier: string | null; trackingNumber: string | null; trackingUrl: string | null; lines: Array<{ sku: string; quantity: number }> }>;
  /** Evidence; `url` opens the file with the admin session (null where the admin may not read cases). */
  attachments: Array<{ id: string; fileName: string; contentType: string; sizeBytes: number; uploadedBy: string; createdAt: string; url: string | null }>;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  process: ProcessLinks | null;
  /** What the customer was sent about the case; null where the admin may not read the outbox. */
  messages: CustomerMessages | null;
}

/** The orders-by-status block (dashboard and the order list's "By status" page). */
export interface StatusCounts {
  total: number;
  statuses: Array<{ status: string; label: string; count: number; url: string }>;
  /** Work queues across statuses (to review, to ship, ...). */
  queues: Array<{ label: string; count: number; url: string }>;
  /** The dashboard's after-sales queues (open, overdue cases); absent elsewhere or without aftersales.read. */
  afterSales?: Array<{ label: string; count: number; url: string }>;
  /** The dashboard's customer-message alerts (undelivered messages); absent elsewhere or without orders.read. */
  notifications?: Array<{ label: string; count: number; url: string }>;
  /** The dashboard's "last verified backup" (issue 13); absent elsewhere or without backups.manage. */
  backups?: BackupTile;
}

/** The Backups page's name (AdminJS page at /admin/pages/backups). */
export const BACKUPS_PAGE = 'backups';

/** "Last verified backup": red (stale) when older than two schedule periods, or when there is none. */
export interface BackupTile {
  verifiedAt: string | null;
  /** When the verified backup was taken (its age is what counts). */
  takenAt: string | null;
  schedule: string | null;
  stale: boolean;
  url: string;
}

/** One backup as the page lists it (GET /api/backups' item). */
export interface BackupRowView {
  id: string;
  kind: 'manual' | 'scheduled';
  status: 'running' | 'completed' | 'verified' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  error?: string;
  encrypted: boolean;
  verification: { status: 'running' | 'passed' | 'failed'; differences?: string[]; error?: string } | null;
}

/** What the Backups page handler answers (GET: the list; POST {op: take|verify|delete, id}: that, then the list). */
export interface BackupsPageData {
  allowed: boolean;
  items: BackupRowView[];
  tile: BackupTile | null;
  notice?: { type: 'success' | 'error'; message: string };
}

/** A customer message of the outbox (notification) with every send attempt: the "Customer messages" of an order or case. */
export interface CustomerMessage {
  id: string;
  channel: string;
  event: string;
  recipient: string;
  status: string;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  attempts: Array<{ attempt: number; outcome: string; error: string | null; startedAt: string; durationMs: number }>;
}

/** The newest messages of a record (order or case number) and how many there are; the outbox list filtered to it. */
export interface CustomerMessages {
  items: CustomerMessage[];
  total: number;
  listUrl: string | null;
}

export type TemplatePartName = 'subject' | 'html' | 'text';

/** Where a template part comes from: a stored version (`override`, version N), the file under templates/ (version 0), or nowhere. */
export interface TemplatePartState {
  /** null in the list (sources are sent with one template only). */
  source: string | null;
  origin: 'override' | 'file' | 'none';
  version: number;
}

/** One event × channel × locale of the template editor (NotificationTemplatesService.list / get). */
export interface TemplateSummary {
  channel: string;
  locale: string;
  event: string;
  description: string;
  parts: Partial<Record<TemplatePartName, TemplatePartState>>;
}

export interface TemplateDetail extends TemplateSummary {
  /** Newest first; a version that `restoresFile` went back to the file. */
  history: Array<{ part: TemplatePartName; version: number; restoresFile: boolean; note: string | null; createdBy: string; createdAt: string }>;
}

/** What the template editor's actions answer (src/admin/actions/template-editor.actions.ts). */
export interface TemplateEditorAnswer {
  /** list: every template, and whether this admin may save, revert and test-send (settings.manage). */
  templates?: TemplateSummary[];
  canManage?: boolean;
  /** open, save, revert: the template as it is now. */
  template?: TemplateDetail;
  /** preview: what the customer would get. */
  preview?: { subject?: string; html?: string; text: string; locale: string };
  /** test send: where it went. */
  sent?: { channel: string; to: string; messageId: string };
  notice?: { message: string; type: 'success' | 'error' };
  /** Problems by part (`html`: "line 3, column 0: ...") or field (`orderId`, `to`). */
  fieldErrors?: Record<string, string>;
}

/** The AdminJS page of the G4 reports (components/reports-page.tsx); its handler answers ReportPageData. */
export const REPORTS_PAGE = 'reports';
/** Where the admin session downloads a report as CSV or XLSX (`?from=&to=&format=`): admin/reports-download.controller.ts. */
export const REPORTS_DOWNLOAD_PATH = '/admin/reports/download';

export interface ReportPageData {
  /** Set when the signed-in user may not read reports (reports.read): only this is shown. */
  refused?: string;
  /** A request the page could not answer (a bad range): shown above the form, which stays. */
  problem?: string;
  report: string;
  from: string;
  to: string;
  timeZone: string;
  rows: Array<Record<string, string | number | null>>;
  /** The order list filtered as a row of the report (a day, a status) when there is one, by the row's date or status. */
  listUrls: Record<string, string>;
  /** Set when the report has more rows than the page shows (the first this many; the downloads have all). */
  limitedTo?: number;
}

/** The dashboard's 30-day charts (absent without reports.read): daily orders and revenue, and the statuses of those orders. */
export interface DashboardReports {
  from: string;
  to: string;
  days: Array<{ date: string; orders: number; revenue: string; url: string }>;
  statuses: Array<{ status: string; count: number; url: string }>;
  /** The order list of the whole 30 days. */
  url: string;
}

/** A pick list's page (G1.4, components/pick-list-detail.tsx): PickListService's view with the admin's links. */
export interface PickListDetail {
  id: string;
  number: string;
  warehouse: string;
  status: string;
  createdBy: string;
  createdAt: string;
  pickedBy: string | null;
  pickedAt: string | null;
  lines: Array<{ bin: string | null; sku: string; name: string; quantity: number }>;
  shipments: Array<{ id: string; orderNumber: string; status: string; showUrl: string; orderUrl: string }>;
  /** The print-friendly pick list (opened in a new tab) and the wave's labels as one PDF. */
  printUrl: string;
  labelsUrl: string;
}

/** One warehouse's stock of a product (components/product-stock.tsx). */
export interface ProductStockLevel {
  warehouse: string;
  warehouseName: string;
  bin: string | null;
  onHand: number;
  reserved: number;
  available: number;
}

/** The admin's own warehouse routes (src/admin/warehouse-documents.controller.ts), opened by links with the admin session. */
export const WAREHOUSE_ROUTES = {
  shipmentDocument: (shipmentId: string, file: 'label.pdf' | 'packing-slip.pdf' | 'invoice.pdf') => `/admin/warehouse/shipments/${shipmentId}/${file}`,
  pickListPrint: (pickListId: string) => `/admin/warehouse/pick-lists/${pickListId}/print`,
  pickListLabels: (pickListId: string) => `/admin/warehouse/pick-lists/${pickListId}/labels.pdf`,
} as const;
/** The exception work queues page (G2.6, issue 14 item 4) at /admin/pages/exceptionQueues?kind=address. */
export const EXCEPTION_QUEUES_PAGE = 'exceptionQueues';

export type ExceptionQueueKind = 'payment' | 'address' | 'stock' | 'logistics';

export interface ExceptionQueueItemRow {
  kind: ExceptionQueueKind;
  ref: string;
  reasons: string[];
  message: string | null;
  order: { id: string; number: string; status: string; customerName: string; customerPhone: string; grandTotal: string; paymentAmount: string | null };
  shipment: { carrier: string | null; trackingNumber: string | null; trackingUrl: string | null } | null;
  stock: { sku: string | null; shortfall: number | null; restockExpectedOn: string | null } | null;
  owner: { id: string; name: string } | null;
  enteredAt: string;
  ageMinutes: number;
  slaDueAt: string;
  overdue: boolean;
  contacts: number;
  lastContact: { at: string; by: string; channel: string; note: string } | null;
  actions: string[];
}

export interface ExceptionQueuesPageData {
  allowed: boolean;
  /** orders.write: claim, note contacts and act; without it the queues are read-only. */
  canWork: boolean;
  me: string | null;
  kind: ExceptionQueueKind;
  counts: Array<{ kind: ExceptionQueueKind; count: number; overdue: number; unassigned: number }>;
  items: ExceptionQueueItemRow[];
  total: number;
  page: number;
  pageSize: number;
  notice?: { type: 'success' | 'error'; message: string };
}

/** The dashboard's key figures (G2.1): each a count with the filtered list it opens; words from `ui.queues.<key>`. */
export interface DashboardFigures {
  orders: Array<{ key: 'newToday' | 'newThisMonth' | 'shippedToday'; count: number; url: string }>;
  /** Exceptions per queue, each opening its queue; absent without orders.read. */
  exceptions: Array<{ kind: ExceptionQueueKind; count: number; overdue: number; url: string }>;
}

/** The flow-rules page (G3.1, issue 14 item 8): every setting of GET /api/settings, saved through SettingsService like PUT. */
export const SETTINGS_PAGE = 'settings';

/** The connectors page (对接管理, issue 15 item 6) at /admin/pages/integrations?connector=<id>. */
export const INTEGRATIONS_PAGE = 'integrations';

/** A setting or secret a connector's form asks for; words from `ui.integrations.fields.<name>` and `.help.<name>`. */
export interface IntegrationFieldSpec {
  name: string;
  required: boolean;
  /** A PEM key or certificate: a text area. */
  multiline: boolean;
}

/** A kind of connector as the page's form offers it (src/integrations/integration-kinds.ts, plus the optional fields this code reads). */
export interface IntegrationKindSpec {
  kind: string;
  /** The provider calls our webhook URL. */
  inbound: boolean;
  settings: IntegrationFieldSpec[];
  /** Write-only: password inputs, never filled in. */
  secrets: IntegrationFieldSpec[];
  /** A failed delivery of this kind can be replayed. */
  replayable: boolean;
}

/** A connector as the page lists it (GET /api/integrations' item: never a secret, only which are set). */
export type IntegrationRowView = Omit<IntegrationView, 'updatedAt'>;

/** A delivery as the page lists it (GET /api/integrations/{id}/deliveries' item). */
export type IntegrationDeliveryRowView = DeliveryView;

/**
 * What the page handler answers. GET: the connectors (and `?connector=<id>`'s recent deliveries). POST `{op, ...}`:
 * create | update (kind, name, settings and secrets as JSON), test, pause, resume, delete, replay (id, delivery) — then
 * the same, with what happened.
 */
export interface IntegrationsPageData {
  /** integrations.manage; without it nothing else is sent. */
  allowed: boolean;
  kinds: IntegrationKindSpec[];
  items: IntegrationRowView[];
  deliveries?: { connectorId: string; items: IntegrationDeliveryRowView[]; total: number };
  /** Done: `ui.integrations.done.<key>` with `vars`; refused: the reason in the user's words. */
  notice?: { type: 'success' | 'error'; key?: string; vars?: Record<string, string>; message?: string };
  /** A create or update refused: the problem of each field (`name`, `settings.shopDomain`, `secrets.webhookSecret`), in the user's words. */
  fieldErrors?: Record<string, string>;
  /** The credentials check's outcome, in the user's words. */
  test?: { connectorId: string; ok: boolean; message: string };
  /** How long a failed delivery's body is kept for a replay. */
  retentionDays: number;
}

/** Which permission each AdminJS page needs: the sidebar shows a page only to its holders (components/sidebar-pages.tsx). */
export const PAGE_PERMISSIONS: Record<string, string> = {
  [INTEGRATIONS_PAGE]: 'integrations.manage',
  [SETTINGS_PAGE]: 'settings.read',
  [BACKUPS_PAGE]: 'backups.manage',
  [REPORTS_PAGE]: 'reports.read',
  [EXCEPTION_QUEUES_PAGE]: 'orders.read',
  customers: 'orders.read',
};

/** One settings change of the audit log: who, when, and each value that changed (`{ "a.b": { from, to } }`). */
export interface SettingsChangeView {
  id: string;
  at: string;
  actor: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface SettingsPageData {
  /** settings.read; without it nothing else is sent. */
  allowed: boolean;
  /** settings.manage (what PUT /api/settings needs): without it the page is read-only. */
  canEdit: boolean;
  /** The settings document as GET /api/settings answers it. */
  settings: Record<string, unknown> | null;
  choices: {
    provinces: string[];
    warehouses: Array<{ code: string; name: string }>;
    allocationStrategies: string[];
    partialStockPolicies: string[];
    carriers: string[];
    notificationEvents: string[];
    locales: string[];
    notificationLocales: string[];
  };
  /** The bounds of each whole-number setting, from the settings schema (for the inputs and their error texts). */
  limits: Record<string, { min: number | null; max: number | null }>;
  /** Newest first. */
  history: SettingsChangeView[];
  /** A save's outcome: what was refused (by settings path, as the API's validation names them) or that it was saved. */
  saved?: boolean;
  refused?: string;
  fieldErrors?: Record<string, string>;
}

/** A CodeLabels property's `custom` (components/code-labels.tsx). */
export interface CodeLabelsOptions {
  /** The word list (`enums.<group>`) the codes are looked up in. */
  enumGroup: string;
  /** Look the words up by this property's value instead (a built-in role's description by its name). */
  keyFrom?: string;
  /** Show how many codes there are ("12 permissions"; `*`: all). */
  count?: boolean;
}
