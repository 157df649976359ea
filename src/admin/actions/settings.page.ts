import type { PageHandler } from 'adminjs';
import type { Response } from 'express';
import { z } from 'zod';
import { ALLOCATION_STRATEGY_NAMES } from '../../allocation/strategies/allocation-strategy';
import type { AuditService } from '../../audit/audit.service';
import { USER_LOCALES } from '../../auth/user.entity';
import { MAINLAND_PROVINCES } from '../../common/china-regions';
import type { InventoryService } from '../../inventory/inventory.service';
import { NOTIFICATION_EVENTS, NOTIFICATION_LOCALES } from '../../notifications/notification-events';
import { CARRIERS, settingsSchema } from '../../settings/settings.schema';
import type { SettingsService } from '../../settings/settings.service';
import { can } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { SettingsChangeView, SettingsPageData } from '../ui-contract';
import { ADMIN_LANGUAGES, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { actAs } from './operator-action';

/** How many settings changes the page's history shows (the audit log keeps them all). */
export const SETTINGS_HISTORY_SHOWN = 50;

const PARTIAL_STOCK_POLICIES = settingsSchema.shape.partialStockPolicy.options;

/** The bounds of every whole-number setting, read from the schema PUT /api/settings validates with, so the page never disagrees with it. */
export function numberLimits(schema: z.ZodType = settingsSchema, path = '', into: SettingsPageData['limits'] = {}): SettingsPageData['limits'] {
  if (schema instanceof z.ZodObject) for (const [key, child] of Object.entries(schema.shape)) numberLimits(child as z.ZodType, path ? `${path}.${key}` : key, into);
  else if (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) numberLimits(schema.unwrap() as z.ZodType, path, into);
  else if (schema instanceof z.ZodNumber) into[path] = { min: schema.minValue, max: schema.maxValue };
  return into;
}

const EMPTY: Omit<SettingsPageData, 'allowed' | 'canEdit'> = {
  settings: null,
  choices: { provinces: [], warehouses: [], allocationStrategies: [], partialStockPolicies: [], carriers: [], notificationEvents: [], locales: [], notificationLocales: [] },
  limits: {},
  history: [],
};

export interface SettingsPageDeps {
  identity: AdminIdentity;
  settings: SettingsService;
  audit: AuditService;
  inventory: InventoryService;
}

/**
 * The flow-rules page (G3.1): GET answers the settings with the choices for each control and the history of changes (the
 * audit log's settings.update entries); POST `{change}` (the changed values only, as JSON) saves them through
 * SettingsService.update — the validation, merge, audit entry and permission (settings.manage, read again from the
 * database) of PUT /api/settings. A refusal comes back with the API's problems by settings path and changes nothing.
 */
export function settingsPage({ identity, settings, audit, inventory }: SettingsPageDeps): PageHandler {
  const answer = async (canEdit: boolean, outcome: Partial<SettingsPageData> = {}): Promise<SettingsPageData> => {
    const current = await settings.get();
    const { items } = await audit.list({ action: 'settings.update', timeZone: current.timeZone, offset: 0, limit: SETTINGS_HISTORY_SHOWN });
    const history: SettingsChangeView[] = items.map((entry) => ({
      id: entry.id,
      at: entry.at,
      actor: entry.actor,
      changes: (entry.details.changes ?? {}) as SettingsChangeView['changes'],
    }));
    return {
      allowed: true,
      canEdit,
      settings: current as unknown as Record<string, unknown>,
      choices: {
        provinces: [...MAINLAND_PROVINCES],
        warehouses: (await inventory.listWarehouses()).map(({ code, name }) => ({ code, name })),
        allocationStrategies: [...ALLOCATION_STRATEGY_NAMES],
        partialStockPolicies: [...PARTIAL_STOCK_POLICIES],
        carriers: [...CARRIERS],
        notificationEvents: [...NOTIFICATION_EVENTS],
        locales: [...USER_LOCALES],
        notificationLocales: [...NOTIFICATION_LOCALES],
      },
      limits: numberLimits(),
      history,
      ...outcome,
    };
  };

  return async (request, response, context): Promise<SettingsPageData> => {
    if (!can(context.currentAdmin, 'settings.read')) return { allowed: false, canEdit: false, ...EMPTY };
    const canEdit = can(context.currentAdmin, 'settings.manage');
    if (request.method !== 'post') return answer(canEdit);
    const raw = (request.payload ?? {}) as Record<string, unknown>;
    let change: unknown;
    try {
      change = JSON.parse(typeof raw.change === 'string' ? raw.change : '');
    } catch {
      return answer(canEdit, { refused: 'The page sent no settings; reload it and try again' });
    }
    const outcome = await actAs(identity, 'settings.manage', request, response as Response | undefined, context, (actor, ip) => settings.update(change, { actor, ip }));
    // the fields' problems are put in words by the page; a refusal of the whole change (the role) here, as other notices are
    if ('refused' in outcome) return answer(canEdit, { refused: translateFormText(outcome.refused, languageOf(context.currentAdmin, ADMIN_LANGUAGES[0])), fieldErrors: outcome.fieldErrors ?? {} });
    return answer(canEdit, { saved: true });
  };
}
