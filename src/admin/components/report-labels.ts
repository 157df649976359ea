/** The Reports page's and the dashboard charts' words in both languages of the back office (zh-CN first: our users). */
export type Language = 'zh-CN' | 'en';

/** Each text as [zh-CN, en], side by side so that a text is never missing in one language. */
const TEXTS = {
  title: ['报表', 'Reports'],
  intro: ['按店铺时区统计；已支付且未取消的订单计为销售，收入已扣除退款。', 'Days in the shop time zone; paid, not cancelled orders count as sales, revenue is net of refunds.'],
  from: ['开始日期', 'From'],
  to: ['结束日期', 'To'],
  show: ['查询', 'Show'],
  downloadCsv: ['下载 CSV', 'Download CSV'],
  downloadXlsx: ['下载 Excel (XLSX)', 'Download Excel (XLSX)'],
  noRows: ['该时间段没有数据', 'Nothing in this range'],
  loadFailed: ['报表加载失败，请刷新页面', 'The report could not be loaded; reload the page'],
  language: ['English', '中文'],
  last30: ['近 30 天订单与收入', 'Orders and revenue, last 30 days'],
  statusesLast30: ['近 30 天订单状态', 'Order statuses, last 30 days'],
  openOrders: ['查看这些订单', 'Open these orders'],
  limited: ['仅显示前 {count} 行；下载文件包含全部数据。', 'Showing the first {count} rows; the downloads have them all.'],
  staffIntro: [
    '按店铺时区统计每位员工在所选期间的审核、异常处理、售后和任务；时长为从进入队列（或领取任务）到完成的分钟数。',
    'Days in the shop time zone; per operator: reviews, exceptions, after-sales and tasks; times are minutes from entering the queue (or claiming the task) to done.',
  ],
} as const;
const REPORT_TEXTS = {
  'daily-sales': ['每日销售', 'Daily sales'],
  'status-distribution': ['订单状态分布', 'Order status distribution'],
  'product-ranking': ['商品销售排行', 'Product sales ranking'],
  'customer-behaviour': ['客户购买行为', 'Customer purchase behaviour'],
  'staff-performance': ['员工绩效', 'Staff performance'],
} as const;
const FIELD_TEXTS = {
  date: ['日期', 'Date'], orders: ['订单数', 'Orders'], items: ['件数', 'Items'], revenue: ['收入 (¥)', 'Revenue (¥)'], status: ['状态', 'Status'],
  count: ['订单数', 'Orders'], sku: ['SKU', 'SKU'], name: ['商品名称', 'Product'], quantity: ['销量', 'Units sold'], customer: ['客户', 'Customer'],
  phone: ['手机', 'Phone'], firstOrderAt: ['首次下单', 'First order'], lastOrderAt: ['最近下单', 'Last order'],
  operator: ['员工', 'Operator'], ordersReviewed: ['审核订单', 'Orders reviewed'], ordersApproved: ['审核通过', 'Approved'], ordersRejected: ['驳回', 'Rejected'],
  ordersCancelled: ['取消', 'Cancelled'], exceptionsResolved: ['处理异常', 'Exceptions resolved'], casesHandled: ['售后工单', 'After-sales cases'],
  tasksCompleted: ['完成任务', 'Tasks completed'], workItems: ['计时工作项', 'Timed work items'], medianMinutes: ['用时中位数（分钟）', 'Median (minutes)'],
  p90Minutes: ['P90 用时（分钟）', 'P90 (minutes)'],
} as const;

type Texts<T> = { [K in keyof T]: string };
const pick = <T extends Record<string, readonly [string, string]>>(texts: T, index: 0 | 1): Texts<T> =>
  Object.fromEntries(Object.entries(texts).map(([key, pair]) => [key, pair[index]])) as Texts<T>;
const labelsIn = (index: 0 | 1) => ({ ...pick(TEXTS, index), reports: pick(REPORT_TEXTS, index), fields: pick(FIELD_TEXTS, index) });

export const LABELS: Record<Language, ReturnType<typeof labelsIn>> = { 'zh-CN': labelsIn(0), en: labelsIn(1) };

const STATUS_TEXTS = {
  pending_payment: ['待付款', 'Awaiting payment'], pending_review: ['待审核', 'Awaiting review'], exception: ['异常', 'Exception'],
  awaiting_stock: ['待补货', 'Awaiting stock'], awaiting_shipment: ['待发货', 'Awaiting shipment'], partially_shipped: ['部分发货', 'Partially shipped'],
  shipped: ['已发货', 'Shipped'], delivered: ['已签收', 'Delivered'], completed: ['已完成', 'Completed'], cancelled: ['已取消', 'Cancelled'],
} as const;

/** Order statuses in each language (unknown ones are shown as they are). */
export const STATUS_NAMES: Record<Language, Record<string, string>> = { 'zh-CN': pick(STATUS_TEXTS, 0), en: pick(STATUS_TEXTS, 1) };

const STORAGE_KEY = 'oms.reports.language';

/** The language chosen on this browser before, else the browser's own (Chinese unless it asks for something else). */
export function initialLanguage(): Language {
  const saved = window.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return (window.navigator.language ?? 'zh-CN').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export function saveLanguage(language: Language): void {
  window.localStorage?.setItem(STORAGE_KEY, language);
}
