import { useTranslation } from 'adminjs';
import type { AdminTranslations } from '../locale/en';

/** The Reports page's and the dashboard charts' words (src/admin/locale `ui.reports`), in the signed-in user's language. */
export type ReportWords = AdminTranslations['ui']['reports'];

// AdminJS stores the translations flattened (`ui.reports.title`), so the words are read one by one, not as an object
const TEXTS = ['title', 'intro', 'staffIntro', 'from', 'to', 'show', 'downloadCsv', 'downloadXlsx', 'noRows', 'loadFailed', 'last30', 'statusesLast30', 'openOrders', 'limited'] as const;
const NAMES = ['daily-sales', 'status-distribution', 'product-ranking', 'customer-behaviour', 'staff-performance'] as const;
const FIELDS = [
  'date', 'orders', 'items', 'revenue', 'status', 'count', 'sku', 'name', 'quantity', 'customer', 'phone', 'firstOrderAt', 'lastOrderAt',
  'operator', 'ordersReviewed', 'ordersApproved', 'ordersRejected', 'ordersCancelled', 'exceptionsResolved', 'casesHandled', 'tasksCompleted',
  'workItems', 'medianMinutes', 'p90Minutes',
] as const;

export function useReportWords() {
  const { i18n } = useTranslation();
  const read = <K extends string>(prefix: string, keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, i18n.t(`${prefix}${key}`)])) as Record<K, string>;
  const words: ReportWords = { ...read('ui.reports.', TEXTS), names: read('ui.reports.names.', NAMES), fields: read('ui.reports.fields.', FIELDS) };
  return {
    words,
    /** An order status in the user's words (unknown ones as they are). */
    statusName: (code: string) => i18n.t(`enums.orderStatus.${code}`, { defaultValue: code }),
    limited: (count: number) => i18n.t('ui.reports.limited', { count }),
  };
}
