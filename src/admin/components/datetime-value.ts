import type { BasePropertyProps } from 'adminjs';
import { useShopDateTime } from './i18n';

/**
 * AdminJS's date-time columns and fields (it overrides `DefaultDatetimeListProperty` and `DefaultDatetimeShowProperty`),
 * in the shop's time zone rather than the browser's (issue 14): an order placed at 00:30 in Shanghai is on the day the
 * reports count it, wherever the operator's laptop thinks it is. Date-only properties have no zone and stay AdminJS's.
 */
export function useShownDateTime({ property, record }: BasePropertyProps): string {
  const shopDateTime = useShopDateTime();
  const value = record?.params?.[property.path];
  if (value === undefined || value === null || value === '') return '';
  if (property.type === 'date') return String(value).slice(0, 10);
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : shopDateTime(date);
}
