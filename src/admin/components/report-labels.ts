import { useTranslation } from 'adminjs';
import type { AdminTranslations } from '../locale/en';

/** The Reports page's and the dashboard charts' words (src/admin/locale `ui.reports`), in the signed-in user's language. */
export type ReportWords = AdminTranslations['ui']['reports'];

export function useReportWords() {
  const { i18n } = useTranslation();
  const words = i18n.t('ui.reports', { returnObjects: true }) as unknown as ReportWords;
  return {
    words,
    /** An order status in the user's words (unknown ones as they are). */
    statusName: (code: string) => i18n.t(`enums.orderStatus.${code}`, { defaultValue: code }),
    limited: (count: number) => i18n.t('ui.reports.limited', { count }),
  };
}
