import { createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { ConflictError, type ErrorDetail, InvalidStateError, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import { APP_CONFIG, type AppConfig, publicUrlOf } from '../config/config';
import { integrationsKeyBytes } from '../config/config.schema';
import { appSecret } from '../database/app-secret';
import { queryOne, queryRows } from '../database/sql';
import { FIELD_NAME, kindOf } from './integration-kinds';
import type { IntegrationView } from './integration-views';

export type { IntegrationView } from './integration-views';
import { kuaidi100SettingProblems } from './kuaidi100/kuaidi100-settings';
import { testShopifyCredentials } from './providers/shopify';
import { topSettingProblems } from './providers/taobao';
import { wmsSettingsProblems } from './wms/wms-protocol';
import { SecretBox, SecretBoxError } from './secret-box';
import { stockSyncOf, stockSyncSecrets, stockSyncSettingProblems } from './stock-sync/stock-sync-settings';
import { testTaobaoCredentials } from './taobao-gateway';
import type { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';

/**
 * What a kind's module does with a connector's settings beyond their form, in the save's transaction (a WMS's warehouses
 * become wms_warehouse rows): it may refuse the save by throwing.
 */
export type IntegrationSaveHook = (manager: EntityManager, integrationId: string, settings: Record<string, unknown>) => Promise<void>;

/** The name of the generated key in app_secret when INTEGRATIONS_KEY is not set. */
export const INTEGRATIONS_KEY_SECRET = 'integrations-key';


/** A connector as the webhook route needs it: with its secrets opened. */
export interface OpenedIntegration {
  id: string;
  kind: string;
  name: string;
  paused: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

interface IntegrationRow {
  id: string;
  kind: string;
  name: string;
  status: 'active' | 'paused';
  settings: Record<string, unknown>;
  secret_keys: string[];
  last_sync_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
  counts: IntegrationView['counts'];
}

/** The kinds whose credentials `POST /api/integrations/{id}/test` checks against the provider, and how. */
const CREDENTIAL_CHECKS: Record<string, (settings: Record<string, unknown>, secrets: Record<string, string>) => Promise<{ ok: boolean; message: string }>> = {
  shopify: testShopifyCredentials,
  taobao: testTaobaoCredentials,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SECRETS = 20;
const MAX_SECRET_LENGTH = 10_000;
const MAX_SETTINGS_BYTES = 16_384;

const COLUMNS = `i.id, i.kind, i.name, i.status, i.settings, i.secret_keys, i.last_sync_at, i.last_error, i.last_error_at, i.created_at, i.updated_at,
  (SELECT json_build_object(
      'ordersCreated', count(*) FILTER (WHERE d.outcome = 'created'),
      'ordersUpdated', count(*) FILTER (WHERE d.outcome = 'updated'),
      'duplicates', count(*) FILTER (WHERE d.outcome = 'duplicate'),
      'rejected', count(*) FILTER (WHERE d.outcome = 'rejected'),
      'ignored', count(*) FILTER (WHERE d.outcome = 'ignored'))
    FROM integration_delivery d WHERE d.integration_id = i.id) AS counts`;

/**
 * Connectors (G5.2, issue 15): CRUD with write-only secrets (AES-256-GCM at rest, src/integrations/secret-box.ts), the
 * credentials check, and the status the webhook route keeps (last sync, last error). Every change is audited with the
 * names of the secrets it set, never their values.
 */
@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Integrations');
  private box?: Promise<SecretBox>;
  private readonly saveHooks = new Map<string, IntegrationSaveHook>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** A kind's module registers what saving such a connector's settings means elsewhere (at module init). */
  onSave(kind: string, hook: IntegrationSaveHook): void {
    this.saveHooks.set(kind, hook);
  }

  /** INTEGRATIONS_KEY, else a key generated once and kept in app_secret (as the admin session's secret is). */
  private secretBox(): Promise<SecretBox> {
    this.box ??= (async () => {
      if (this.config.INTEGRATIONS_KEY) return new SecretBox(integrationsKeyBytes(this.config.INTEGRATIONS_KEY)!);
      const generated = Buffer.from(await appSecret(this.db, INTEGRATIONS_KEY_SECRET), 'base64url');
      if (this.config.NODE_ENV === 'production') {
        this.logger.warn('INTEGRATIONS_KEY is not set: connector secrets are encrypted with a key kept in the database; set INTEGRATIONS_KEY so that a copy of the database alone does not open them');
      }
      return new SecretBox(generated);
    })().catch((error: unknown) => {
      this.box = undefined;
      throw error;
    });
    return this.box;
  }

  async create(input: CreateIntegrationDto, by: Acting): Promise<IntegrationView> {
    const kind = kindOf(input.kind)!;
    const [settings, secrets] = checkedTogether(
      () => checkedSettings(input.kind, {}, input.settings ?? {}),
      () => checkedSecrets(input.kind, {}, input.secrets, [...kind.requiredSecrets, ...stockSyncSecrets(input.kind, input.settings ?? {})]),
    );
    await this.checkStockWarehouses(this.db.manager, settings);
    const id = randomUUID();
    const sealed = (await this.secretBox()).seal(secrets, id);
    try {
      await this.db.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO integration (id, kind, name, settings, secret_keys, secrets_sealed, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, input.kind, input.name, JSON.stringify(settings), Object.keys(secrets).sort(), sealed, by.actor.name],
        );
        await this.saveHooks.get(input.kind)?.(manager, id, settings);
        await this.audit.record({ ...by, action: 'integration.create', target: `integration:${id}`, details: { kind: input.kind, name: input.name, settings, secretsSet: Object.keys(secrets).sort() } }, manager);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'integration_name_key')) throw this.nameTaken(input.name);
      throw error;
    }
    return this.get(id);
  }

  /** What create would refuse in a new connector's settings and secrets (a form shows them with its other problems). */
  problemsOf(kind: string, settings: Record<string, unknown>, secrets: Record<string, unknown>): ErrorDetail[] {
    const known = kindOf(kind);
    if (!known) return [];
    try {
      checkedTogether(() => checkedSettings(kind, {}, settings), () => checkedSecrets(kind, {}, secrets, known.requiredSecrets));
      return [];
    } catch (error) {
      if (error instanceof ValidationError) return error.details ?? [];
      throw error;
    }
  }

  async list(offset: number, limit: number): Promise<{ items: IntegrationView[]; total: number }> {
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM integration`);
    const rows = await queryRows<IntegrationRow>(this.db, `SELECT ${COLUMNS} FROM integration i ORDER BY i.name OFFSET $1 LIMIT $2`, [offset, limit]);
    return { items: rows.map((row) => this.toView(row)), total };
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<IntegrationView> {
    return this.toView(await this.row(id, manager));
  }

  /**
   * PATCH: name, settings and secrets (merged key by key; null removes a key), status active|paused. A connector whose name
   * orders already carry as their channel keeps it (409): renamed, the platform's next update of such an order would not
   * find it by (channel, externalId) and would make a second one.
   */
  async update(id: string, input: UpdateIntegrationDto, by: Acting): Promise<IntegrationView> {
    try {
      await this.db.transaction(async (manager) => {
        const current = await this.row(id, manager, { lock: true });
        const kind = kindOf(current.kind)!;
        const changes: Record<string, unknown> = {};
        const name = input.name ?? current.name;
        if (name !== current.name) {
          const [used] = await manager.query(`SELECT 1 FROM customer_order WHERE channel = $1 LIMIT 1`, [current.name]);
          if (used) throw new InvalidStateError(`Orders came in under the channel ${current.name}; the connector keeps that name so that their updates find them (add a new connector instead)`);
          changes.name = { from: current.name, to: name };
        }
        const settings = input.settings === undefined ? current.settings : checkedSettings(current.kind, current.settings, input.settings);
        if (input.settings !== undefined) changes.settings = settings;
        await this.checkStockWarehouses(manager, settings);
        let sealed: string | undefined;
        let secretKeys = current.secret_keys;
        const requiredSecrets = [...kind.requiredSecrets, ...stockSyncSecrets(current.kind, settings)];
        if (input.secrets !== undefined) {
          const [{ secrets_sealed: stored }] = await manager.query(`SELECT secrets_sealed FROM integration WHERE id = $1`, [id]);
          const secrets = checkedSecrets(current.kind, await this.unseal(stored, id, current.name), input.secrets, requiredSecrets);
          sealed = (await this.secretBox()).seal(secrets, id);
          secretKeys = Object.keys(secrets).sort();
          changes.secretsSet = Object.keys(input.secrets).filter((key) => input.secrets![key] !== null).sort();
          changes.secretsRemoved = Object.keys(input.secrets).filter((key) => input.secrets![key] === null).sort();
        }
        // stock sync turned on for a connector saved without the secrets it needs to push (issue 15 item 2)
        const missing = requiredSecrets.filter((key) => !secretKeys.includes(key));
        if (missing.length) throw ValidationError.listing(missing.map((key) => ({ path: `secrets.${key}`, message: `is required for a ${current.kind} connector with these settings` })));
        const status = input.status ?? current.status;
        if (status !== current.status) changes.status = { from: current.status, to: status };
        await manager.query(
          `UPDATE integration SET name = $2, settings = $3, status = $4, secret_keys = $5, secrets_sealed = COALESCE($6, secrets_sealed), updated_at = now() WHERE id = $1`,
          [id, name, JSON.stringify(settings), status, secretKeys, sealed ?? null],
        );
        if (input.settings !== undefined) await this.saveHooks.get(current.kind)?.(manager, id, settings);
        await this.audit.record({ ...by, action: 'integration.update', target: `integration:${id}`, details: { kind: current.kind, name, ...changes } }, manager);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'integration_name_key')) throw this.nameTaken(input.name!);
      throw error;
    }
    return this.get(id);
  }

  /** 204: the connector, its secrets and its delivery records go; the orders it brought in stay. */
  async remove(id: string, by: Acting): Promise<void> {
    await this.db.transaction(async (manager) => {
      const current = await this.row(id, manager, { lock: true });
      await manager.query(`DELETE FROM integration WHERE id = $1`, [id]);
      await this.audit.record({ ...by, action: 'integration.delete', target: `integration:${id}`, details: { kind: current.kind, name: current.name } }, manager);
    });
  }

  /** `POST /api/integrations/{id}/test`: the credentials against the provider → `{ok, message}`; a failure is the connector's lastError. */
  async test(id: string): Promise<{ ok: boolean; message: string }> {
    const connector = await this.open(id);
    const check = CREDENTIAL_CHECKS[connector.kind];
    if (!check) return { ok: false, message: `No credentials check for ${connector.kind} connectors yet: a delivery to the webhook URL tests the secret` };
    const result = await check(connector.settings, connector.secrets);
    await this.noteResult(id, result.ok ? null : `credentials check: ${result.message}`, { sync: false });
    return result;
  }

  /** The connector with its secrets opened, for the webhook route and the credentials check (never for an answer). */
  async open(id: string): Promise<OpenedIntegration> {
    const row = UUID.test(id)
      ? await queryOne<{ id: string; kind: string; name: string; status: string; settings: Record<string, unknown>; secrets_sealed: string }>(
          this.db, `SELECT id, kind, name, status, settings, secrets_sealed FROM integration WHERE id = $1`, [id])
      : undefined;
    if (!row) throw new NotFoundError('Connector', id);
    const secrets = await this.unseal(row.secrets_sealed, row.id, row.name);
    return { id: row.id, kind: row.kind, name: row.name, paused: row.status === 'paused', settings: row.settings, secrets };
  }

  /** The stored secrets opened; sealed with another INTEGRATIONS_KEY (or damaged) → 409 saying which key they need. */
  private async unseal(sealed: string, id: string, name: string): Promise<Record<string, string>> {
    try {
      return (await this.secretBox()).open(sealed, id);
    } catch (error) {
      if (error instanceof SecretBoxError) throw new InvalidStateError(`The secrets of connector ${name} cannot be read: ${error.message}`);
      throw error;
    }
  }

  /** What the status shows: a success (lastSyncAt, when `sync`) clears the failing state; an error is lastError from now on. */
  async noteResult(id: string, error: string | null, { sync = true } = {}): Promise<void> {
    if (error === null) {
      await this.db.query(`UPDATE integration SET last_sync_at = CASE WHEN $2 THEN now() ELSE last_sync_at END, last_error_at = NULL WHERE id = $1`, [id, sync]);
    } else {
      await this.db.query(`UPDATE integration SET last_error = $2, last_error_at = now() WHERE id = $1`, [id, error.slice(0, 2000)]);
    }
  }

  /** Stock sync counts only warehouses that exist (a mistyped code would tell the platform there is nothing to sell). */
  private async checkStockWarehouses(manager: EntityManager, settings: Record<string, unknown>): Promise<void> {
    const codes = stockSyncOf(settings).warehouses;
    if (!codes) return;
    const known = new Set((await queryRows<{ code: string }>(manager, `SELECT code FROM warehouse WHERE code = ANY($1)`, [codes])).map((row) => row.code));
    const unknown = codes.filter((code) => !known.has(code));
    if (unknown.length) throw ValidationError.of('settings.stockWarehouses', `has no warehouse with the code ${unknown.join(', ')}`);
  }

  webhookUrl(kind: string, id: string): string | undefined {
    return kindOf(kind)?.inbound ? `${publicUrlOf(this.config)}/hooks/${id}` : undefined;
  }

  private async row(id: string, manager: EntityManager, { lock = false } = {}): Promise<IntegrationRow> {
    if (lock && UUID.test(id)) await manager.query(`SELECT 1 FROM integration WHERE id = $1 FOR UPDATE`, [id]);
    const row = UUID.test(id) ? await queryOne<IntegrationRow>(manager, `SELECT ${COLUMNS} FROM integration i WHERE i.id = $1`, [id]) : undefined;
    if (!row) throw new NotFoundError('Connector', id);
    return row;
  }

  private toView(row: IntegrationRow): IntegrationView {
    const failing = row.last_error_at !== null && (row.last_sync_at === null || row.last_error_at > row.last_sync_at);
    const webhookUrl = this.webhookUrl(row.kind, row.id);
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      status: row.status === 'paused' ? 'paused' : failing ? 'failing' : 'active',
      ...(webhookUrl ? { webhookUrl } : {}),
      lastSyncAt: row.last_sync_at ? new Date(row.last_sync_at).toISOString() : null,
      lastError: row.last_error,
      counts: row.counts,
      settings: row.settings,
      secretKeys: row.secret_keys,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  private nameTaken(name: string): ConflictError {
    return new ConflictError(`A connector named ${name} already exists (the name is the channel of its orders)`);
  }
}

/** Both checks' problems in one 422, so a form shows every field's problem at once (issue 15 item 6). */
function checkedTogether<A, B>(first: () => A, second: () => B): [A, B] {
  const problems: ErrorDetail[] = [];
  const run = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...(error.details ?? []));
      return undefined;
    }
  };
  const results = [run(first), run(second)] as [A, B];
  if (problems.length) throw ValidationError.listing(problems);
  return results;
}

/** The secrets after `changes` (null removes a key): string values of plain names, and every secret the kind needs. */
function checkedSecrets(kind: string, current: Record<string, string>, changes: Record<string, unknown>, required: readonly string[]): Record<string, string> {
  const problems: ErrorDetail[] = [];
  const secrets = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const path = `secrets.${FIELD_NAME.test(key) ? key : JSON.stringify(key)}`;
    if (!FIELD_NAME.test(key)) problems.push({ path, message: 'a secret\'s name must be a letter then up to 39 letters, digits or _' });
    else if (value === null) delete secrets[key];
    else if (typeof value !== 'string' || value.trim() === '') problems.push({ path, message: 'must be a non-empty string' });
    else if (value.length > MAX_SECRET_LENGTH) problems.push({ path, message: `must be at most ${MAX_SECRET_LENGTH} characters` });
    else if (kind === 'wechatpay' && key === 'apiV3Key' && Buffer.byteLength(value) !== 32) problems.push({ path, message: 'must be the 32-character APIv3 key' });
    else secrets[key] = value;
  }
  for (const key of required) if (!(key in secrets) && !problems.some((problem) => problem.path === `secrets.${key}`)) problems.push({ path: `secrets.${key}`, message: `is required for a ${kind} connector` });
  if (Object.keys(secrets).length > MAX_SECRETS) problems.push({ path: 'secrets', message: `must have at most ${MAX_SECRETS} entries` });
  if (problems.length) throw ValidationError.listing(problems);
  return secrets;
}

const isHttpUrl = (value: unknown): boolean => typeof value === 'string' && value.length <= 500 && /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value);

/** The settings after `changes` (null removes a key): plain names, at most 16 KB, and the values this code reads of the right form. */
function checkedSettings(kind: string, current: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const problems: ErrorDetail[] = [];
  const settings = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (!FIELD_NAME.test(key)) problems.push({ path: `settings.${JSON.stringify(key)}`, message: 'a setting\'s name must be a letter then up to 39 letters, digits or _' });
    else if (value === null) delete settings[key];
    else settings[key] = value;
  }
  if (kind === 'shopify') {
    const { shopDomain, apiBaseUrl, apiVersion } = settings;
    if (shopDomain !== undefined && (typeof shopDomain !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(shopDomain) || shopDomain.length > 253)) {
      problems.push({ path: 'settings.shopDomain', message: 'must be the shop\'s domain, like my-shop.myshopify.com' });
    }
    if (apiBaseUrl !== undefined && !isHttpUrl(apiBaseUrl)) problems.push({ path: 'settings.apiBaseUrl', message: 'must be an http:// or https:// URL, without ? or #' });
    if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !/^(\d{4}-\d{2}|unstable)$/.test(apiVersion))) {
      problems.push({ path: 'settings.apiVersion', message: 'must be a Shopify API version like 2025-07' });
    }
  }
  // WooCommerce: the store's address, where order status and tracking go back through its REST API (/wp-json/wc/v3)
  if (kind === 'woocommerce' && settings.storeUrl !== undefined && !isHttpUrl(settings.storeUrl)) {
    problems.push({ path: 'settings.storeUrl', message: 'must be the store\'s http:// or https:// address, like https://shop.example.com' });
  }
  // Taobao: the gateway, sign method and polling settings it reads (issue 15 item 1)
  if (kind === 'taobao') problems.push(...topSettingProblems(settings));
  // issue 15 item 5: where the WMS takes instructions, which of our warehouses it runs, the key it confirms with
  if (kind === 'wms') problems.push(...wmsSettingsProblems(settings));
  if (kind === 'kuaidi100') problems.push(...kuaidi100SettingProblems(settings));
  // stock sync (issue 15 item 2): on/off, the safety buffer, the warehouses counted, what each platform needs for it
  problems.push(...stockSyncSettingProblems(kind, settings));
  for (const key of kindOf(kind)?.requiredSettings ?? []) {
    if (typeof settings[key] !== 'string' || (settings[key] as string).trim() === '') problems.push({ path: `settings.${key}`, message: `is required for a ${kind} connector (a non-empty string)` });
  }
  if (kind === 'wechatpay' && typeof settings.platformCertificate === 'string' && settings.platformCertificate.trim() && !isPublicKeyPem(settings.platformCertificate)) {
    problems.push({ path: 'settings.platformCertificate', message: 'must be the WeChat Pay platform certificate or public key, PEM' });
  }
  if (Buffer.byteLength(JSON.stringify(settings)) > MAX_SETTINGS_BYTES) problems.push({ path: 'settings', message: `must be at most ${MAX_SETTINGS_BYTES} bytes as JSON` });
  if (problems.length) throw ValidationError.listing(problems);
  return settings;
}

/** A PEM certificate or public key node can read (WeChat Pay's platform certificate or its newer platform public key). */
function isPublicKeyPem(pem: string): boolean {
  try {
    if (pem.includes('BEGIN CERTIFICATE')) new X509Certificate(pem);
    else createPublicKey(pem);
    return true;
  } catch {
    return false;
  }
}
