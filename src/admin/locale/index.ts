import type { Locale, LocaleTranslations } from 'adminjs';
import { CASE_STATUSES, CASE_TYPES } from '../../after-sales/case-status';
import { AUDIT_ACTIONS } from '../../audit/audit-actions';
import { PERMISSION_AREAS } from '../../auth/permission-catalogue';
import { BUILT_IN_ROLES, PERMISSIONS } from '../../auth/permissions';
import { USER_LOCALES, type UserLocale } from '../../auth/user.entity';
import { BACKUP_FAILED_ALERT } from '../../backups/backups.service';
import { PICK_LIST_STATUSES } from '../../fulfillment/pick-list.entity';
import { SHIPMENT_STATUSES } from '../../fulfillment/shipment.entity';
import { NOTIFICATION_LOCALES } from '../../notifications/notification-events';
import { DEAD_LETTER_ALERT } from '../../notifications/system-alert.entity';
import { ORDER_STATUSES } from '../../orders/order-status';
import { KNOWN_SALES_CHANNELS } from '../../orders/sales-channels';
import { REVIEW_RULES } from '../../orders/review-rules';
import { TRACKING_EVENT_STATUSES } from '../../tracking/carriers/carrier-adapter';
import { CARRIER_CODES } from '../../tracking/carriers/carriers';
import { type AdminTranslations, en } from './en';
import { zhCN } from './zh-CN';

/** The back office's languages (a user's `locale`, API.md `/api/users`); the first is the default of a new install. */
export const ADMIN_LANGUAGES = USER_LOCALES;
export type AdminLanguage = UserLocale;

export const ADMIN_TRANSLATIONS: Record<AdminLanguage, AdminTranslations> = { 'zh-CN': zhCN, en };

export const isAdminLanguage = (value: unknown): value is AdminLanguage => (ADMIN_LANGUAGES as readonly unknown[]).includes(value);

export type EnumGroup = keyof AdminTranslations['enums'];

/** The review rules' flag codes. */
const REVIEW_FLAGS = REVIEW_RULES.map((rule) => rule.code);

/**
 * Every stored code the back office shows, by the word list that names it: the translation check
 * (test/unit/admin/admin-locale.spec.ts) asserts each has a label in every language, so a new status without words fails.
 */
export const ENUM_VALUES: Record<EnumGroup, readonly string[]> = {
  orderStatus: ORDER_STATUSES,
  paymentStatus: ['paid', 'pending'],
  flag: REVIEW_FLAGS,
  flagHint: REVIEW_FLAGS,
  shipmentStatus: SHIPMENT_STATUSES,
  carrier: CARRIER_CODES,
  trackingStatus: TRACKING_EVENT_STATUSES,
  logisticsAlert: ['stale_tracking', 'address_problem', 'delivery_exception'],
  caseType: CASE_TYPES,
  caseStatus: CASE_STATUSES,
  qcResult: ['pass', 'fail'],
  pickListStatus: PICK_LIST_STATUSES,
  movementKind: ['receipt', 'adjustment', 'reservation', 'release', 'outbound', 'count', 'return'],
  messageChannel: ['email', 'sms'],
  messageStatus: ['pending', 'sending', 'sent', 'dead'],
  attemptOutcome: ['sent', 'failed', 'dead', 'deferred'],
  alertStatus: ['open', 'resolved'],
  systemAlertKind: [DEAD_LETTER_ALERT, BACKUP_FAILED_ALERT],
  instanceStatus: ['running', 'waiting', 'completed', 'incident', 'terminated'],
  locale: [...new Set([...USER_LOCALES, ...NOTIFICATION_LOCALES])],
  role: BUILT_IN_ROLES.map((role) => role.name),
  roleDescription: BUILT_IN_ROLES.map((role) => role.name),
  // issue 14: the role editor's grid of permissions by area
  permissionArea: PERMISSION_AREAS,
  permission: PERMISSIONS,
  userActive: ['true', 'false'],
  actorKind: ['user', 'api_key', 'system', 'anonymous'],
  auditAction: AUDIT_ACTIONS,
  channel: KNOWN_SALES_CHANNELS,
};

/** An enum property's choices for AdminJS: the codes are stored, the words come from the locale (`resources.X.labels`). */
export const enumChoices = (group: EnumGroup) => ENUM_VALUES[group].map((value) => ({ value, label: value }));

/** Which resource property shows which word list (AdminJS looks up `resources.<Resource>.labels.<property>.<code>`). */
export const ENUM_PROPERTIES: Record<string, Record<string, EnumGroup>> = {
  Order: { status: 'orderStatus', paymentStatus: 'paymentStatus' },
  OrderStatusHistory: { fromStatus: 'orderStatus', toStatus: 'orderStatus' },
  Shipment: { status: 'shipmentStatus', carrier: 'carrier' },
  PickList: { status: 'pickListStatus' },
  AfterSalesCase: { type: 'caseType', status: 'caseStatus', qcResult: 'qcResult' },
  StockMovement: { kind: 'movementKind' },
  Notification: { channel: 'messageChannel', status: 'messageStatus', locale: 'locale' },
  SystemAlert: { status: 'alertStatus', kind: 'systemAlertKind' },
  ProcessInstance: { status: 'instanceStatus' },
  Incident: { status: 'alertStatus' },
  User: { locale: 'locale', active: 'userActive' },
  AuditEntry: { action: 'auditAction', actorKind: 'actorKind' },
};

/** One language's translations as AdminJS reads them: the resources' enum properties get their word lists as labels. */
export function adminTranslations(language: AdminLanguage): LocaleTranslations {
  const texts = ADMIN_TRANSLATIONS[language];
  const own = texts.resources as Record<string, Record<string, Record<string, string>>>;
  const names = texts.labels as Record<string, string>;
  const resources: NonNullable<LocaleTranslations['resources']> = {};
  for (const resource of new Set([...Object.keys(own), ...Object.keys(ENUM_PROPERTIES), ...Object.keys(names)])) {
    const enums = Object.entries(ENUM_PROPERTIES[resource] ?? {});
    resources[resource] = {
      ...own[resource],
      // a list page is titled with what it lists (订单), not AdminJS's generic "列表"; in Chinese a record's page with what
      // it is (拣货单详情), not "详情" (English keeps "Details": its names are plurals)
      actions: { list: names[resource], ...(language === 'zh-CN' && names[resource] ? { show: `${names[resource]}详情` } : {}), ...own[resource]?.actions },
      labels: Object.fromEntries(enums.map(([property, group]) => [property, texts.enums[group]])),
    };
  }
  return { ...texts, resources };
}

/**
 * AdminJS's `locale` for one signed-in user: their language, the words of both languages (the user menu switches), and
 * AdminJS's own zh-CN texts under ours. Only the user's language is offered to AdminJS's top-bar selector, which would
 * switch without saving; the user menu (components/user-menu.tsx) saves the choice.
 */
export function adminLocale(language: AdminLanguage): Locale {
  return {
    language,
    // i18next's own setting: without it (and no detector) the browser's i18n has no current language, only a fallback
    lng: language,
    availableLanguages: [language],
    localeDetection: false,
    translations: Object.fromEntries(ADMIN_LANGUAGES.map((lang) => [lang, adminTranslations(lang)])),
  };
}

type ServerKey = { [K in keyof AdminTranslations['server']]: AdminTranslations['server'][K] extends string ? K : never }[keyof AdminTranslations['server']];

/** `{{name}}` replaced by `vars.name`, as i18next does in the browser. */
export const interpolate = (text: string, vars: Record<string, string | number> = {}) =>
  text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

/** Texts the server writes for a user (dashboard tiles), in their language. */
export function serverTexts(language: AdminLanguage) {
  const texts = ADMIN_TRANSLATIONS[language];
  return {
    text: (key: ServerKey, vars?: Record<string, string | number>) => interpolate(texts.server[key], vars),
    enumLabel: (group: EnumGroup, value: string) => (texts.enums[group] as Record<string, string>)[value] ?? value,
  };
}

/** The language of a signed-in admin (their saved locale), else the install's default. */
export function languageOf(admin: object | undefined, fallback: AdminLanguage): AdminLanguage {
  const locale = (admin as { locale?: unknown } | undefined)?.locale;
  return isAdminLanguage(locale) ? locale : fallback;
}
