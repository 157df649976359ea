import { useTranslation } from 'adminjs';

/**
 * Our components' words, dates and money in the signed-in user's language (issue 14). The words are AdminJS's own
 * translations (src/admin/locale: `ui.*` for our texts, `enums.*` for stored codes), which the page already carries, so
 * every screen — AdminJS's and ours — speaks the language the user picked in the user menu.
 */
export type Vars = Record<string, string | number>;

export function useTexts() {
  const { i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'zh-CN';
  const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
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
