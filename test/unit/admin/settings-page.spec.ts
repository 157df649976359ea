import { numberLimits } from '../../../src/admin/actions/settings.page';
import { ADMIN_LANGUAGES, ADMIN_TRANSLATIONS } from '../../../src/admin/locale';
import { ALLOCATION_STRATEGY_NAMES } from '../../../src/allocation/strategies/allocation-strategy';
import { NOTIFICATION_EVENTS } from '../../../src/notifications/notification-events';
import { DEFAULT_SETTINGS, settingsSchema } from '../../../src/settings/settings.schema';

/** Every leaf of the settings document as `a.b.c` (lists are one value). */
const leaves = (value: unknown, path = ''): string[] =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key))
    : [path];

/** G3.1: the flow-rules page (settings.page.ts, components/settings-page.tsx) covers every setting, in both languages. */
describe('the flow-rules page', () => {
  it('takes the bounds of every whole-number setting from the schema PUT /api/settings validates with', () => {
    const limits = numberLimits();
    expect(limits['alertThresholds.staleTrackingHours']).toEqual({ min: 1, max: 720 });
    expect(limits['afterSales.slaHours.refund']).toEqual({ min: 1, max: 24 * 60 });
    expect(Object.keys(limits).sort()).toEqual(leaves(DEFAULT_SETTINGS).filter((path) => Number.isInteger(valueAt(path))).sort());
    // and each bound is the one the schema enforces
    for (const [path, { min, max }] of Object.entries(limits)) {
      const at = (value: number) => settingsSchema.safeParse(withValue(path, value)).success;
      expect({ path, min: at(min!), belowMin: at(min! - 1), max: at(max!), aboveMax: at(max! + 1) }).toEqual({ path, min: true, belowMin: false, max: true, aboveMax: false });
    }
  });

  it.each(ADMIN_LANGUAGES)('names every setting, event, strategy and policy in %s', (language) => {
    const words = ADMIN_TRANSLATIONS[language].ui.settings;
    const labelled = leaves(DEFAULT_SETTINGS).filter((path) => !path.startsWith('notifications.events.'));
    expect(labelled.filter((path) => !(path.replace(/\./g, '_') in words.fields))).toEqual([]);
    expect(NOTIFICATION_EVENTS.filter((event) => !(event in words.events))).toEqual([]);
    expect(ALLOCATION_STRATEGY_NAMES.filter((name) => !(name in words.strategy) || !(name in words.strategyHelp))).toEqual([]);
    expect(settingsSchema.shape.partialStockPolicy.options.filter((name) => !(name in words.policy) || !(name in words.policyHelp))).toEqual([]);
  });
});

function valueAt(path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], DEFAULT_SETTINGS);
}

/** The default settings with one value replaced. */
function withValue(path: string, value: unknown): unknown {
  const copy = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  parent[keys.at(-1)!] = value;
  return copy;
}
