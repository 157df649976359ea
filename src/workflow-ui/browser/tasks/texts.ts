/**
 * The tasklist's own words for forms and the order or case beside them (issue 14 item 9), from the admin's locale files
 * (the block `ui.taskForms`, with the status and type names of `enums`), so both languages are checked by one test.
 */
import { en } from '../../../admin/locale/en';
import { zhCN } from '../../../admin/locale/zh-CN';
import { pageLanguage } from '../shared/i18n';

const texts = () => (pageLanguage() === 'en' ? en : zhCN);

export type FormText = keyof typeof en.ui.taskForms;

/** A text of the block, `{{name}}` filled in. */
export function formText(key: FormText, values: Record<string, string | number> = {}): string {
  return texts().ui.taskForms[key].replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

type EnumGroup = 'orderStatus' | 'caseStatus' | 'caseType' | 'flag' | 'role';

/** A stored code (`pending_review`) as the user's language names it; the code itself when no name is known. */
export function enumText(group: EnumGroup, code: string): string {
  return (texts().enums[group] as Record<string, string>)[code] ?? code;
}
