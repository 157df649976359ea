/**
 * bpmn-js's own texts (palette, context pad, menus, the properties panel, lint overlays) in the page's language, the
 * way bpmn-js documents it: a `translate` service replacing diagram-js's. English stays as bpmn-js writes it.
 */
import { BPMN_ZH_CN } from './bpmn-zh-CN';

export type Translate = (template: string, replacements?: Record<string, unknown>) => string;

/** translate() for a language: the text looked up, then `{name}` filled in (an unknown one left as it is). */
export function translator(language: 'zh-CN' | 'en'): Translate {
  return (template, replacements = {}) => {
    const text = language === 'zh-CN' ? (BPMN_ZH_CN[template] ?? template) : template;
    return text.replace(/{([^}]+)}/g, (whole, key: string) => (replacements[key] == null ? whole : String(replacements[key])));
  };
}

/** The module for the Modeler's additionalModules: `{ translate: ['value', customTranslate] }`. */
export const translateModule = (language: 'zh-CN' | 'en') => ({ translate: ['value', translator(language)] });
