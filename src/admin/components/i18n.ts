import { useCurrentAdmin, useTranslation } from 'adminjs';

/**
 * Our components' words, dates and money in the signed-in user's language (issue 14). The words are AdminJS's own
 * translations (src/admin/locale: `ui.*` for our texts, `enums.*` for stored codes), which the page already carries, so
 * every screen — AdminJS's and ours — speaks the language the user picked in the user menu.
 */
export type Vars = Record<string, string | number>;

/** The shop's time zone (settings `timeZone`, on the session's user: admin-session.ts); a browser's own zone is not the shop's. */
export function useShopTimeZone(): string | undefined {
  const [admin] = useCurrentAdmin();
  const zone = (admin as { timeZone?: unknown } | null)?.timeZone;
  return typeof zone === 'string' ? zone : undefined;
}

/** `2026-12-08 04:19` in the shop's time zone: the form AdminJS's own date columns use, which Chinese operators read. */
export function useShopDateTime(): (iso: string | Date) => string {
  const timeZone = useShopTimeZone();
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (value) => format.format(new Date(value));
}

export function useTexts() {
  const { i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'zh-CN';
  const timeZone = useShopTimeZone();
  const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const currency = new Intl.NumberFormat(language, { style: 'currency', currency: 'CNY' });
  return {
    language,
    /** `ui.<key>` with `{{name}}` filled in. */
    t: (key: string, vars?: Vars): string => i18n.t(`ui.${key}`, { ...vars, defaultValue: key }),
    /** The words for a stored code (`enums.<group>.<code>`); an unknown code is shown as it is. */
    label: (group: string, code: string | null | undefined): string => (code ? i18n.t(`enums.${group}.${code}`, { defaultValue: code }) : '—'),
    /** An instant as the user reads dates. */
    date: (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—'),
    /** A decimal string of yuan as the user reads money (display only: no arithmetic on it). */
    money: (amount: string | null | undefined): string => {
      if (amount === null || amount === undefined || amount === '') return '—';
      const value = Number(amount);
      return Number.isFinite(value) ? currency.format(value) : amount;
    },
  };
}

export type Texts = ReturnType<typeof useTexts>;
