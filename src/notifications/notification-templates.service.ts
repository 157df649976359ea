import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ConflictError, type ErrorDetail, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import { Mailer } from './mailer';
import { type Channel, EVENT_DESCRIPTIONS, NOTIFICATION_CHANNELS, NOTIFICATION_EVENTS, NOTIFICATION_LOCALES, type NotificationData, type NotificationEvent, sampleNotificationData } from './notification-events';
import { SMS_PROVIDER, type SmsProvider, smsText } from './sms/sms-provider';
import { type RenderedMessage, TemplateCompileError, TemplateRenderError, TemplateRenderer } from './template-renderer';
import { TestSendPolicy } from './test-send-policy';

export type TemplatePart = 'subject' | 'html' | 'text';
export const PARTS_OF: Record<Channel, readonly TemplatePart[]> = { email: ['subject', 'html', 'text'], sms: ['text'] };

export interface TemplateKey {
  channel: Channel;
  locale: string;
  event: string;
}

export interface TemplatePartView {
  source: string | null;
  origin: 'override' | 'file' | 'none';
  /** The stored version in force (0: the file). */
  version: number;
}

export interface TemplateView extends TemplateKey {
  description: string;
  parts: Partial<Record<TemplatePart, TemplatePartView>>;
  history: Array<{ part: TemplatePart; version: number; restoresFile: boolean; note: string | null; createdBy: string; createdAt: string }>;
}

/** The order data a preview or test send uses (registered by the orders module: notifications do not read orders). */
export type OrderDataProvider = (orderIdOrNumber: string, event: NotificationEvent) => Promise<NotificationData>;

const templateName = (key: TemplateKey) => `${key.channel}/${key.locale}/${key.event}`;
const pathOf = (key: TemplateKey, part: TemplatePart) => `${templateName(key)}.${part}.hbs`;

/**
 * Issue 7 item 4: templates admins edit at run time. Every save is a new version of each changed part that overrides the
 * file (a version without source goes back to the file); a part that does not compile is refused with its line and column.
 * Every process applies the latest versions before it renders (refresh()).
 */
@Injectable()
export class NotificationTemplatesService {
  private current: TemplateRenderer;
  private appliedVersion = -1;
  private orderData?: OrderDataProvider;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    base: TemplateRenderer,
    private readonly mailer: Mailer,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
    private readonly testSends: TestSendPolicy,
    private readonly audit: AuditService,
  ) {
    this.current = base;
  }

  onOrderData(provider: OrderDataProvider): void {
    this.orderData = provider;
  }

  /** The renderer with the stored versions applied (as of the last refresh). */
  renderer(): TemplateRenderer {
    return this.current;
  }

  /** Applies stored versions saved since the last refresh (by any process): one cheap query when nothing changed. */
  async refresh(): Promise<void> {
    const [{ latest }] = await this.db.query(`SELECT coalesce(max(id), 0)::int AS latest FROM notification_template_version`);
    if (latest === this.appliedVersion) return;
    const rows = await queryRows<{ path: string; source: string | null }>(
      this.db,
      `SELECT DISTINCT ON (path) path, source FROM notification_template_version ORDER BY path, version DESC`,
    );
    this.current.setOverrides(new Map(rows.filter((row) => row.source !== null).map((row) => [row.path, row.source!])));
    this.appliedVersion = latest;
  }

  /** Every event × channel × locale, with where each part comes from. */
  async list(): Promise<Array<Omit<TemplateView, 'history'>>> {
    await this.refresh();
    const versions = await this.versionsInForce();
    return NOTIFICATION_CHANNELS.flatMap((channel) =>
      NOTIFICATION_LOCALES.flatMap((locale) =>
        NOTIFICATION_EVENTS.map((event) => {
          const key = { channel, locale, event };
          return { ...key, description: EVENT_DESCRIPTIONS[event], parts: this.partsOf(key, versions, false) };
        }),
      ),
    );
  }

  async get(key: TemplateKey): Promise<TemplateView> {
    this.assertKey(key);
    await this.refresh();
    const versions = await this.versionsInForce();
    const history = await queryRows<{ path: string; version: number; source: string | null; note: string | null; createdBy: string; createdAt: Date }>(
      this.db,
      `SELECT path, version, source, note, created_by AS "createdBy", created_at AS "createdAt" FROM notification_template_version
        WHERE path = ANY($1) ORDER BY id DESC`,
      [PARTS_OF[key.channel].map((part) => pathOf(key, part))],
    );
    return {
      ...key,
      description: EVENT_DESCRIPTIONS[key.event as NotificationEvent],
      parts: this.partsOf(key, versions, true),
      history: history.map((row) => ({
        part: row.path.split('.').at(-2) as TemplatePart,
        version: row.version,
        restoresFile: row.source === null,
        note: row.note,
        createdBy: row.createdBy,
        createdAt: new Date(row.createdAt).toISOString(),
      })),
    };
  }

  /** Saves the changed parts as new versions; nothing is saved when any part does not compile (422 with line and column). */
  async save(key: TemplateKey, parts: Partial<Record<TemplatePart, string>>, note: string | undefined, by: Acting): Promise<TemplateView> {
    this.assertKey(key);
    const given = this.givenParts(key, parts);
    if (given.length === 0) throw ValidationError.of('body', `give at least one of ${PARTS_OF[key.channel].join(', ')}`);
    await this.refresh();
    this.assertCompiles(key, parts);
    await this.db.transaction(async (manager) => {
      const changed = given.filter((part) => this.current.sourceOf(pathOf(key, part))?.source !== parts[part]); // unchanged: no new version
      for (const part of changed) await this.addVersion(manager, pathOf(key, part), parts[part]!, note ?? null, by.actor.name);
      if (changed.length > 0) await this.audit.record({ ...by, action: 'notification_template.update', target: templateName(key), details: { parts: changed, note: note ?? null } }, manager);
    });
    return this.get(key);
  }

  /** Puts an earlier version of a part back as a new version; version 0 goes back to the file. */
  async revert(key: TemplateKey, part: TemplatePart, version: number, by: Acting): Promise<TemplateView> {
    this.assertKey(key);
    if (!PARTS_OF[key.channel].includes(part)) throw ValidationError.of('part', `a ${key.channel} template has ${PARTS_OF[key.channel].join(', ')}`);
    const path = pathOf(key, part);
    let source: string | null = null;
    if (version !== 0) {
      const row = await queryOne<{ source: string | null }>(this.db, `SELECT source FROM notification_template_version WHERE path = $1 AND version = $2`, [path, version]);
      if (!row) throw new NotFoundError('Template version', `${path} v${version}`);
      source = row.source;
    }
    if (source !== null) {
      await this.refresh();
      this.assertCompiles(key, { [part]: source });
    }
    await this.db.transaction(async (manager) => {
      await this.addVersion(manager, path, source, version === 0 ? 'back to the file' : `revert to version ${version}`, by.actor.name);
      await this.audit.record({ ...by, action: 'notification_template.revert', target: templateName(key), details: { part, toVersion: version } }, manager);
    });
    return this.get(key);
  }

  /**
   * Renders the template (with unsaved `parts` if given) on a real order's data, or on sample data: what the customer would
   * get. A part that does not compile or a field the data lacks is a 422 naming the place.
   */
  async preview(key: TemplateKey, input: { orderId?: string; parts?: Partial<Record<TemplatePart, string>> }): Promise<RenderedMessage & { data: NotificationData }> {
    this.assertKey(key);
    await this.refresh();
    const parts = input.parts ?? {};
    this.assertCompiles(key, parts);
    const data = await this.dataFor(key, input.orderId);
    const draft = new Map(this.givenParts(key, parts).map((part) => [pathOf(key, part), parts[part]!]));
    try {
      return { ...this.current.withOverrides(draft).render(key.channel, key.event, key.locale, { ...data, locale: key.locale }), data };
    } catch (error) {
      if (error instanceof TemplateRenderError) throw ValidationError.of(error.file, error.message);
      throw error;
    }
  }

  /**
   * Sends the (previewed) message at once to the sender's own address or a test recipient of the settings (TestSendPolicy:
   * 403 for anyone else, 429 past the hourly limit); answers what the provider said.
   */
  async testSend(key: TemplateKey, input: { to: string; orderId?: string; parts?: Partial<Record<TemplatePart, string>> }, actor: Actor): Promise<{ channel: Channel; to: string; messageId: string }> {
    this.assertKey(key);
    const to = await this.testSends.admit(key.channel, input.to, actor);
    const message = await this.preview(key, input);
    const id = `test-${randomUUID()}@oms.notifications`;
    if (key.channel === 'sms') return { channel: 'sms', to, messageId: (await this.sms.send({ to, text: smsText(message.text), messageId: id })).messageId };
    const sent = await this.mailer.send({ to, subject: `[TEST] ${message.subject ?? key.event}`, html: message.html, text: message.text, messageId: `<${id}>` });
    return { channel: 'email', to, messageId: sent.messageId };
  }

  private async dataFor(key: TemplateKey, orderId: string | undefined): Promise<NotificationData> {
    const event = key.event as NotificationEvent;
    if (!orderId) return sampleNotificationData(event, this.config.SHOP_NAME);
    if (!this.orderData) throw new Error('no order data provider is registered');
    return this.orderData(orderId, event);
  }

  private givenParts(key: TemplateKey, parts: Partial<Record<TemplatePart, string>>): TemplatePart[] {
    const unknown = Object.keys(parts).filter((part) => !PARTS_OF[key.channel].includes(part as TemplatePart));
    if (unknown.length) throw ValidationError.of(unknown[0], `a ${key.channel} template has ${PARTS_OF[key.channel].join(', ')}`);
    return PARTS_OF[key.channel].filter((part) => typeof parts[part] === 'string');
  }

  private assertCompiles(key: TemplateKey, parts: Partial<Record<TemplatePart, string>>): void {
    const problems: ErrorDetail[] = [];
    for (const part of this.givenParts(key, parts)) {
      if (part !== 'html' && parts[part]!.trim() === '') {
        problems.push({ path: part, message: 'must not be empty' });
        continue;
      }
      try {
        this.current.checkTemplate(pathOf(key, part), parts[part]!);
      } catch (error) {
        if (!(error instanceof TemplateCompileError)) throw error;
        const where = error.line !== undefined ? `line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}: ` : '';
        problems.push({ path: part, message: `${where}${error.reason}` });
      }
    }
    if (problems.length) throw new ValidationError(`The template does not compile: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  }

  private assertKey(key: TemplateKey): void {
    const problems: ErrorDetail[] = [];
    if (!NOTIFICATION_CHANNELS.includes(key.channel)) problems.push({ path: 'channel', message: `must be one of ${NOTIFICATION_CHANNELS.join(', ')}` });
    if (!(NOTIFICATION_LOCALES as readonly string[]).includes(key.locale)) problems.push({ path: 'locale', message: `must be one of ${NOTIFICATION_LOCALES.join(', ')}` });
    if (!(NOTIFICATION_EVENTS as readonly string[]).includes(key.event)) problems.push({ path: 'event', message: `must be one of ${NOTIFICATION_EVENTS.join(', ')}` });
    if (problems.length) throw new NotFoundError('Template', `${key.channel}/${key.locale}/${key.event}`);
  }

  private async versionsInForce(): Promise<Map<string, number>> {
    const rows = await queryRows<{ path: string; version: number; source: string | null }>(
      this.db,
      `SELECT DISTINCT ON (path) path, version, source FROM notification_template_version ORDER BY path, version DESC`,
    );
    return new Map(rows.filter((row) => row.source !== null).map((row) => [row.path, row.version]));
  }

  private partsOf(key: TemplateKey, versions: Map<string, number>, withSource: boolean): TemplateView['parts'] {
    return Object.fromEntries(
      PARTS_OF[key.channel].map((part) => {
        const path = pathOf(key, part);
        const found = this.current.sourceOf(path);
        return [part, { source: withSource ? (found?.source ?? null) : null, origin: found?.origin ?? 'none', version: versions.get(path) ?? 0 }];
      }),
    );
  }

  private async addVersion(manager: EntityManager, path: string, source: string | null, note: string | null, actor: string): Promise<void> {
    // two saves of one part at once: the unique (path, version) lets one win; the other is told to reload
    await manager
      .query(
        `INSERT INTO notification_template_version (path, version, source, note, created_by)
         SELECT $1::varchar, coalesce(max(version), 0) + 1, $2, $3, $4 FROM notification_template_version WHERE path = $1::varchar`,
        [path, source, note?.slice(0, 500) ?? null, actor],
      )
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new ConflictError(`${path} was saved by someone else at the same moment; reload it and save again`);
        throw error;
      });
  }
}
