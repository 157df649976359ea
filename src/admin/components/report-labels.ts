/** The Reports page's and the dashboard charts' words in both languages of the back office (zh-CN first: our users). */
export type Language = 'zh-CN' | 'en';

export const LABELS = {
  'zh-CN': {
    title: '报表',
    intro: '按店铺时区统计；已支付且未取消的订单计为销售，收入已扣除退款。',
    from: '开始日期',
    to: '结束日期',
    show: '查询',
    downloadCsv: '下载 CSV',
    downloadXlsx: '下载 Excel (XLSX)',
    noRows: '该时间段没有数据',
    loadFailed: '报表加载失败，请刷新页面',
    language: 'English',
    reports: { 'daily-sales': '每日销售', 'status-distribution': '订单状态分布', 'product-ranking': '商品销售排行', 'customer-behaviour': '客户购买行为' },
    fields: {
      date: '日期', orders: '订单数', items: '件数', revenue: '收入 (¥)', status: '状态', count: '订单数', sku: 'SKU', name: '商品名称', quantity: '销量',
      customer: '客户', phone: '手机', firstOrderAt: '首次下单', lastOrderAt: '最近下单',
    },
    last30: '近 30 天订单与收入',
    statusesLast30: '近 30 天订单状态',
    openOrders: '查看这些订单',
    limited: (count: number) => `仅显示前 ${count} 行；下载文件包含全部数据。`,
  },
  en: {
    title: 'Reports',
    intro: 'Days in the shop time zone; paid, not cancelled orders count as sales, revenue is net of refunds.',
    from: 'From',
    to: 'To',
    show: 'Show',
    downloadCsv: 'Download CSV',
    downloadXlsx: 'Download Excel (XLSX)',
    noRows: 'Nothing in this range',
    loadFailed: 'The report could not be loaded; reload the page',
    language: '中文',
    reports: { 'daily-sales': 'Daily sales', 'status-distribution': 'Order status distribution', 'product-ranking': 'Product sales ranking', 'customer-behaviour': 'Customer purchase behaviour' },
    fields: {
      date: 'Date', orders: 'Orders', items: 'Items', revenue: 'Revenue (¥)', status: 'Status', count: 'Orders', sku: 'SKU', name: 'Product', quantity: 'Units sold',
      customer: 'Customer', phone: 'Phone', firstOrderAt: 'First order', lastOrderAt: 'Last order',
    },
    last30: 'Orders and revenue, last 30 days',
    statusesLast30: 'Order statuses, last 30 days',
    openOrders: 'Open these orders',
    limited: (count: number) => `Showing the first ${count} rows; the downloads have them all.`,
  },
} as const;

export const STATUS_NAMES: Record<Language, Record<string, string>> = {
  'zh-CN': {
    pending_payment: '待付款', pending_review: '待审核', exception: '异常', awaiting_stock: '待补货', awaiting_shipment: '待发货',
    partially_shipped: '部分发货', shipped: '已发货', delivered: '已签收', completed: '已完成', cancelled: '已取消',
  },
  en: {
    pending_payment: 'Awaiting payment', pending_review: 'Awaiting review', exception: 'Exception', awaiting_stock: 'Awaiting stock', awaiting_shipment: 'Awaiting shipment',
    partially_shipped: 'Partially shipped', shipped: 'Shipped', delivered: 'Delivered', completed: 'Completed', cancelled: 'Cancelled',
  },
};

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
