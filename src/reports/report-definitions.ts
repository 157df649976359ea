/** The four G4 reports of API.md "Reports and settings", read from the rollups (report-rollups.ts). */
export const ROLLUP_REPORT_NAMES = ['daily-sales', 'status-distribution', 'product-ranking', 'customer-behaviour'] as const;
export type RollupReportName = (typeof ROLLUP_REPORT_NAMES)[number];
/** Every report: the G4 four, and staff performance (G5.3, staff-performance.ts); their row fields and how each is typed in a spreadsheet. */
export const REPORT_NAMES = [...ROLLUP_REPORT_NAMES, 'staff-performance'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** date: a shop day (YYYY-MM-DD); time: an instant (ISO 8601); money: a decimal string; integer; decimal: a number or null (none); text. */
export type ReportFieldKind = 'date' | 'time' | 'integer' | 'decimal' | 'money' | 'text';

export interface DailySalesRow { date: string; orders: number; items: number; revenue: string }
export interface StatusDistributionRow { status: string; count: number }
export interface ProductRankingRow { sku: string; name: string; quantity: number; revenue: string }
export interface CustomerBehaviourRow { customer: string; phone: string; orders: number; revenue: string; firstOrderAt: string; lastOrderAt: string }
/** README "Staff performance": one user's work in the range; minutes from queue entry or assignment to done, null without timed work. */
export interface StaffPerformanceRow {
  operator: string; operatorName: string; ordersReviewed: number; ordersApproved: number; ordersRejected: number; ordersCancelled: number;
  exceptionsResolved: number; casesHandled: number; tasksCompleted: number; workItems: number; medianMinutes: number | null; p90Minutes: number | null;
}
export type ReportRow = DailySalesRow | StatusDistributionRow | ProductRankingRow | CustomerBehaviourRow | StaffPerformanceRow;

export interface ReportDefinition {
  title: { 'zh-CN': string; en: string };
  fields: ReadonlyArray<{ name: string; kind: ReportFieldKind }>;
}

export const REPORTS: Record<ReportName, ReportDefinition> = {
  'daily-sales': {
    title: { 'zh-CN': '每日销售', en: 'Daily sales' },
    fields: [{ name: 'date', kind: 'date' }, { name: 'orders', kind: 'integer' }, { name: 'items', kind: 'integer' }, { name: 'revenue', kind: 'money' }],
  },
  'status-distribution': {
    title: { 'zh-CN': '订单状态分布', en: 'Order status distribution' },
    fields: [{ name: 'status', kind: 'text' }, { name: 'count', kind: 'integer' }],
  },
  'product-ranking': {
    title: { 'zh-CN': '商品销售排行', en: 'Product sales ranking' },
    fields: [{ name: 'sku', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'quantity', kind: 'integer' }, { name: 'revenue', kind: 'money' }],
  },
  'customer-behaviour': {
    title: { 'zh-CN': '客户购买行为', en: 'Customer purchase behaviour' },
    fields: [
      { name: 'customer', kind: 'text' }, { name: 'phone', kind: 'text' }, { name: 'orders', kind: 'integer' }, { name: 'revenue', kind: 'money' },
      { name: 'firstOrderAt', kind: 'time' }, { name: 'lastOrderAt', kind: 'time' },
    ],
  },
  'staff-performance': {
    title: { 'zh-CN': '员工绩效', en: 'Staff performance' },
    fields: [
      { name: 'operator', kind: 'text' }, { name: 'operatorName', kind: 'text' }, { name: 'ordersReviewed', kind: 'integer' }, { name: 'ordersApproved', kind: 'integer' },
      { name: 'ordersRejected', kind: 'integer' }, { name: 'ordersCancelled', kind: 'integer' }, { name: 'exceptionsResolved', kind: 'integer' },
      { name: 'casesHandled', kind: 'integer' }, { name: 'tasksCompleted', kind: 'integer' }, { name: 'workItems', kind: 'integer' },
      { name: 'medianMinutes', kind: 'decimal' }, { name: 'p90Minutes', kind: 'decimal' },
    ],
  },
};

export const isReportName = (name: string): name is ReportName => (REPORT_NAMES as readonly string[]).includes(name);

/** A report as JSON (API.md): the filter it answers and its rows. */
export interface Report<Row = ReportRow> {
  report: ReportName;
  from: string;
  to: string;
  rows: Row[];
}
