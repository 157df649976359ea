/** The four G4 reports of API.md "Reports and settings", their row fields and how each field is typed in a spreadsheet. */
export const REPORT_NAMES = ['daily-sales', 'status-distribution', 'product-ranking', 'customer-behaviour'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** date: a shop day (YYYY-MM-DD); time: an instant (ISO 8601); money: a decimal string; integer; text. */
export type ReportFieldKind = 'date' | 'time' | 'integer' | 'money' | 'text';

export interface DailySalesRow { date: string; orders: number; items: number; revenue: string }
export interface StatusDistributionRow { status: string; count: number }
export interface ProductRankingRow { sku: string; name: string; quantity: number; revenue: string }
export interface CustomerBehaviourRow { customer: string; phone: string; orders: number; revenue: string; firstOrderAt: string; lastOrderAt: string }
export type ReportRow = DailySalesRow | StatusDistributionRow | ProductRankingRow | CustomerBehaviourRow;

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
};

export const isReportName = (name: string): name is ReportName => (REPORT_NAMES as readonly string[]).includes(name);

/** A report as JSON (API.md): the filter it answers and its rows. */
export interface Report<Row = ReportRow> {
  report: ReportName;
  from: string;
  to: string;
  rows: Row[];
}
