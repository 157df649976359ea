import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { ValidationError } from '../common/errors';
import { DatabaseListener } from '../database/database-listener';
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

/**
 * How long a cached copy is used at most before it is read again, whatever the notifications said (one lost, a listener
 * that has not noticed its connection died, the embedded database where there are none).
 */
export const SETTINGS_MAX_AGE_MS = 1000;

interface CachedSettings {
  settings: Settings;
  /** app_setting.version of the row read (0: no row, the defaults). */
  version: number;
  /** When the read that produced it started: a change committed after that may be missing from it. */
  readAt: number;
}

/** Callers share the cached document: one that changed it would change everybody's settings. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Run-time settings (G3.1), one validated JSON document in app_setting, cached per process with its version (issue 12
 * item 4: they were read 4 times per order). A change is used at once by the process that made it and by the others as
 * soon as its notification arrives (`oms_settings`, sent by a trigger in the changing transaction; milliseconds), and at
 * the latest SETTINGS_MAX_AGE_MS after it committed. That bound is what review rules, allocation and notifications may
 * lag: an order taken in that second is treated as if it had come a second earlier, which the customer and the
 * operator cannot tell from a change made a second later; stock safety never depends on settings (conditional updates).
 */
@Injectable()
export class SettingsService {
  private cached?: CachedSettings;
  /** Bumped by every invalidation: a read that started before one must not fill the cache with what it replaced. */
  private generation = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    database: DatabaseListener,
  ) {
    // a change committed elsewhere (payload: its version), or the listener was deaf for a while (null)
    database.subscribe('oms_settings', (version) => {
      if (version !== null && String(this.cached?.version) === version) return; // ours, cached when we made it
      this.cached = undefined;
      this.generation++;
    });
  }

  /** The settings; read through `manager` only when the cached copy is missing or too old. Never change what it returns. */
  async get(manager: EntityManager = this.db.manager): Promise<Settings> {
    const cached = this.cached;
    if (cached && Date.now() - cached.readAt < SETTINGS_MAX_AGE_MS) return cached.settings;
    const generation = this.generation;
    const readAt = Date.now();
    const { settings, version } = await this.read(manager);
    if (generation === this.generation) this.cached = { settings, version, readAt };
    return settings;
  }

  /** Audited with every value that changed (issue 11 item 2), in the same transaction as the change. */
  async update(change: unknown, by: Acting): Promise<Settings> {
    if (!isObject(change)) throw ValidationError.of('body', 'must be a JSON object of settings');
    const saved = await this.db.transaction(async (manager) => {
      // merged onto the latest committed settings under the row lock: two changes at once both count
      const before = await this.read(manager, 'FOR UPDATE');
      const next = settingsSchema.safeParse(merge(before.settings as unknown as Json, change));
      if (!next.success) {
        const details = next.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
        throw new ValidationError(`The settings have ${details.length} problem(s): ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
      }
      const changes = settingsChanges(before.settings, next.data);
      if (Object.keys(changes).length === 0) return before;
      // the version is bumped by a trigger, which also tells the other processes once this commits
      const [{ version }] = await manager.query(
        `INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() RETURNING version`,
        [SETTINGS_KEY, JSON.stringify(next.data)],
      );
      await this.audit.record({ ...by, action: 'settings.update', target: 'settings', details: { changes } }, manager);
      return { settings: deepFreeze(next.data), version: Number(version) };
    });
    // this process uses the change at once, before its own notification comes back
    this.generation++;
    this.cached = { ...saved, readAt: Date.now() };
    return saved.settings;
  }

  private async read(manager: EntityManager, lock: '' | 'FOR UPDATE' = ''): Promise<Omit<CachedSettings, 'readAt'>> {
    const [row] = await manager.query(`SELECT value, version FROM app_setting WHERE key = $1 ${lock}`, [SETTINGS_KEY]);
    // settings saved by an older version keep their values; anything added since comes from the defaults
    const settings = row ? (merge(DEFAULT_SETTINGS as unknown as Json, row.value) as unknown as Settings) : DEFAULT_SETTINGS;
    return { settings: deepFreeze(settings), version: row ? Number(row.version) : 0 };
  }
}
