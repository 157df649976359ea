import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ValidationError } from '../common/errors';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from './settings.schema';

const SETTINGS_KEY = 'settings';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nested objects merge, everything else (lists included) is replaced: a PUT may send just what changes. */
function merge(base: Json, change: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(change)) merged[key] = isObject(value) && isObject(base[key]) ? merge(base[key], value) : value;
  return merged;
}

/** Run-time settings (G3.1), one validated JSON document in app_setting; read fresh so every process sees a change at once. */
@Injectable()
export class SettingsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(manager: EntityManager = this.db.manager): Promise<Settings> {
    const [row] = await manager.query(`SELECT value FROM app_setting WHERE key = $1`, [SETTINGS_KEY]);
    // settings saved by an older version keep their values; anything added since comes from the defaults
    return row ? (merge(DEFAULT_SETTINGS as unknown as Json, row.value) as unknown as Settings) : DEFAULT_SETTINGS;
  }

  async update(change: unknown): Promise<Settings> {
    if (!isObject(change)) throw ValidationError.of('body', 'must be a JSON object of settings');
    const next = settingsSchema.safeParse(merge((await this.get()) as unknown as Json, change));
    if (!next.success) {
      const details = next.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
      throw new ValidationError(`The settings have ${details.length} problem(s): ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    }
    await this.db.query(
      `INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [SETTINGS_KEY, JSON.stringify(next.data)],
    );
    return next.data;
  }
}
