import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { ValidationError } from '../common/errors';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from './settings.schema';

/** The app_setting row holding the settings document. */
export const SETTINGS_KEY = 'settings';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nested objects merge, everything else (lists included) is replaced: a PUT may send just what changes. */
function merge(base: Json, change: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(change)) merged[key] = isObject(value) && isObject(base[key]) ? merge(base[key], value) : value;
  return merged;
}

/** Every leaf that differs between two settings documents (lists compare whole), as `{ "a.b": { from, to } }`. */
export function settingsChanges(before: unknown, after: unknown, path = ''): Record<string, { from: unknown; to: unknown }> {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return Object.assign({}, ...keys.map((key) => settingsChanges(before[key], after[key], path ? `${path}.${key}` : key)));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? {} : { [path]: { from: before ?? null, to: after ?? null } };
}

/** Run-time settings (G3.1), one validated JSON document in app_setting; read fresh so every process sees a change at once. */
@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(manager: EntityManager = this.db.manager): Promise<Settings> {
    const [row] = await manager.query(`SELECT value FROM app_setting WHERE key = $1`, [SETTINGS_KEY]);
    // settings saved by an older version keep their values; anything added since comes from the defaults
    return row ? (merge(DEFAULT_SETTINGS as unknown as Json, row.value) as unknown as Settings) : DEFAULT_SETTINGS;
  }

  /** Audited with every value that changed (issue 11 item 2), in the same transaction as the change. */
  async update(change: unknown, by: Acting): Promise<Settings> {
    if (!isObject(change)) throw ValidationError.of('body', 'must be a JSON object of settings');
    const before = await this.get();
    const next = settingsSchema.safeParse(merge(before as unknown as Json, change));
    if (!next.success) {
      const details = next.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
      throw new ValidationError(`The settings have ${details.length} problem(s): ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    }
    const changes = settingsChanges(before, next.data);
    if (Object.keys(changes).length === 0) return next.data;
    await this.db.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [SETTINGS_KEY, JSON.stringify(next.data)],
      );
      await this.audit.record({ ...by, action: 'settings.update', target: 'settings', details: { changes } }, manager);
    });
    return next.data;
  }
}
