import { Cron } from 'croner';
import { z } from 'zod';
import { MAINLAND_PROVINCES } from '../common/china-regions';
import { ALLOCATION_STRATEGY_NAMES } from '../allocation/strategies/allocation-strategy';
import { NOTIFICATION_EVENTS, NOTIFICATION_LOCALES, type NotificationEvent } from '../notifications/notification-events';
import { testRecipientOf } from '../notifications/test-recipient';
import { USER_LOCALES } from '../auth/user.entity';

export const CARRIERS = ['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems'] as const;
const slaHours = z.number().int().min(1).max(24 * 60);
const money = z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be a decimal string like "2000.00"');

/** Flow rules an admin changes at run time (G3.1); defaults are those of API.md "Reports and settings". */
export const settingsSchema = z
  .object({
    autoReview: z
      .object({
        /** A paid order with no flag is approved automatically. */
        enabled: z.boolean(),
        /** Orders whose grand total is above this wait for a person (null: no limit). */
        manualReviewAbove: money.nullable(),
      })
      .strict(),
    deliveryArea: z.object({ provinces: z.array(z.enum(MAINLAND_PROVINCES)).min(1) }).strict(),
    defaultWarehouse: z.string().min(1).max(32).nullable(),
    allocationStrategy: z.enum(ALLOCATION_STRATEGY_NAMES),
    partialStockPolicy: z.enum(['ship_available', 'split', 'wait']),
    /** Order merge rule (issue 5 item 5): new shipments join an unpicked parcel of the same customer and address. */
    orderMerge: z.object({ automatic: z.boolean() }).strict(),
    carrierPriority: z.array(z.enum(CARRIERS)).min(1).refine((list) => new Set(list).size === list.length, 'lists a carrier twice'),
    alertThresholds: z
      .object({
        staleTrackingHours: z.number().int().min(1).max(24 * 30),
        /** G2.6: an order still unpaid this long after it was placed joins the payment exception queue. */
        unpaidMinutes: z.number().int().min(1).max(60 * 24 * 30),
        /** G2.6: how long an exception may wait in its queue (from entering it) before it is overdue. */
        exceptionSlaHours: z.object({ payment: slaHours, address: slaHours, stock: slaHours, logistics: slaHours }).strict(),
      })
      .strict(),
    /** G1.6: how long after delivery a customer may open a case, and how long each step may take before it is overdue. */
    afterSales: z
      .object({
        windowDays: z.number().int().min(1).max(365),
        slaHours: z
          .object({
            review: slaHours,
            receive: slaHours,
            inspect: slaHours,
            refund: slaHours,
            replacement: slaHours,
          })
          .strict(),
      })
      .strict(),
    /** G3.2: which events reach the customer on which channels, the fallback locale, the per-recipient limit, who hears of dead letters. */
    notifications: z
      .object({
        defaultLocale: z.enum(NOTIFICATION_LOCALES),
        events: z
          .object(Object.fromEntries(NOTIFICATION_EVENTS.map((event) => [event, z.object({ email: z.boolean(), sms: z.boolean() }).strict()])) as Record<
            NotificationEvent,
            z.ZodObject<{ email: z.ZodBoolean; sms: z.ZodBoolean }>
          >)
          .strict(),
        maxPerRecipientPerHour: z.number().int().min(1).max(1000),
        alertEmail: z.email().max(254).nullable(),
        /** Issue 11 item 6: who template test sends may reach besides the sender's own email (the only way to test SMS). */
        testRecipients: z
          .array(z.string().max(254).refine((entry) => testRecipientOf('email', entry) !== null || testRecipientOf('sms', entry) !== null, 'must be an email address or a mobile number'))
          .max(20),
      })
      .strict(),
    /** Issue 11 item 3: an admin session unused for this long ends (the absolute limit is ACCESS_TOKEN_TTL_MINUTES). */
    security: z.object({ adminSessionIdleMinutes: z.number().int().min(1).max(24 * 60) }).strict(),
    /** Issue 13: when scheduled backups are taken (a cron expression in timeZone; null: none) and how many of them are kept. */
    backups: z
      .object({
        schedule: z
          .string()
          .max(100)
          .superRefine((pattern, context) => {
            const problem = cronProblem(pattern);
            if (problem) context.addIssue({ code: 'custom', message: `is not a cron expression: ${problem}` });
          })
          .nullable(),
        keep: z.number().int().min(1).max(1000),
      })
      .strict(),
    /** Issue 14: the back office's language where a user has none yet (the login page; new users created without one). */
    locale: z.enum(USER_LOCALES),
    timeZone: z.string().refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone like Asia/Shanghai'),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

/** Why a backup schedule is not a usable cron expression (5 fields: minute hour day month weekday; 6 with seconds first), or null. */
export function cronProblem(pattern: string): string | null {
  if (![5, 6].includes(pattern.trim().split(/\s+/).length)) return 'use 5 fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *" (or 6, seconds first)';
  try {
    const cron = new Cron(pattern, { paused: true });
    if (!cron.nextRun()) return 'it never runs';
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export const DEFAULT_SETTINGS: Settings = {
  autoReview: { enabled: true, manualReviewAbove: null },
  deliveryArea: { provinces: [...MAINLAND_PROVINCES] },
  defaultWarehouse: null,
  allocationStrategy: 'warehouse_priority',
  partialStockPolicy: 'split',
  orderMerge: { automatic: false },
  carrierPriority: [...CARRIERS],
  alertThresholds: { staleTrackingHours: 48, unpaidMinutes: 15, exceptionSlaHours: { payment: 4, address: 8, stock: 48, logistics: 24 } },
  afterSales: { windowDays: 15, slaHours: { review: 24, receive: 168, inspect: 48, refund: 24, replacement: 48 } },
  notifications: {
    defaultLocale: 'zh-CN',
    // email for every moment; SMS where a customer needs to act or to know at once
    events: Object.fromEntries(
      NOTIFICATION_EVENTS.map((event) => [event, { email: true, sms: ['payment-reminder', 'order-shipped', 'delivery-problem', 'order-cancelled', 'after-sales-refunded', 'replacement-shipped'].includes(event) }]),
    ) as Settings['notifications']['events'],
    maxPerRecipientPerHour: 10,
    alertEmail: null,
    testRecipients: [],
  },
  security: { adminSessionIdleMinutes: 30 },
  backups: { schedule: '0 3 * * *', keep: 14 },
  locale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
};
