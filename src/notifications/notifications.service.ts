import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { afterCommit } from '../database/after-commit';
import { retryWhileUnavailable } from '../database/connection-errors';
import { DatabaseListener } from '../database/database-listener';
import { queryOne, queryRows } from '../database/sql';
import { backoffSeconds, WorkLoops } from '../database/work-loops';
import { SettingsService } from '../settings/settings.service';
import { InvalidHeaderError, InvalidRecipientError, Mailer } from './mailer';
import type { Channel, NotificationData, NotificationEvent } from './notification-events';
import { NotificationTemplatesService } from './notification-templates.service';
import { InvalidSmsRecipientError, SMS_PROVIDER, type SmsProvider, smsNumberOf, smsText } from './sms/sms-provider';
import { DEAD_LETTER_ALERT } from './system-alert.entity';
import { TemplateCompileError, TemplateNotFoundError, TemplateRenderError } from './template-renderer';

export interface OutgoingNotification {
  /** One send per key: a retried workflow step cannot send twice (`<event>:<subject id>:<channel>:<recipient>`). */
  idempotencyKey: string;
  channel: Channel;
  event: string;
  locale: string;
  recipient: string;
  /** What it is about (an order or case number), to show it on that record. */
  reference: string;
  data: Record<string, unknown>;
}

/** Who the message is for: the customer's addresses and language. */
export interface NotificationRecipient {
  email: string | null;
  phone: string | null;
  locale: string | null;
}

export interface NotificationAttemptView {
  attempt: number;
  outcome: 'sent' | 'failed' | 'dead' | 'deferred';
  error: string | null;
  providerMessageId: string | null;
  startedAt: string;
  durationMs: number;
}

export interface NotificationView {
  id: string;
  channel: Channel;
  event: string;
  locale: string;
  recipient: string;
  reference: string | null;
  status: 'pending' | 'sending' | 'sent' | 'dead';
  attempts: NotificationAttemptView[];
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** What a message carried: the subject and HTML of an email, the text of both channels. */
interface SentContent {
  subject?: string;
  text: string;
  html?: string;
}

/** A message as its customer received it (or, not sent yet, as it would read now). */
export interface MessageContent {
  sent: boolean;
  channel: string;
  subject: string | null;
  text: string | null;
  html: string | null;
  error?: string;
}

/** A message a sender holds: what it needs to render and send, and the attempt this is. */
type ClaimedNotification = Pick<NotificationView, 'id' | 'channel' | 'event' | 'locale' | 'recipient' | 'reference'> & { data: Record<string, unknown>; attempts: number; idempotencyKey: string };

export const MAX_SEND_ATTEMPTS = 8;
const PERMANENT_ERRORS = [TemplateNotFoundError, TemplateCompileError, TemplateRenderError, InvalidRecipientError, InvalidHeaderError, InvalidSmsRecipientError];
/** Retry delay after the n-th failed send: 5 s, 10 s, 20 s ... at most an hour. */
const sendRetrySeconds = (attempt: number) => backoffSeconds(attempt, { baseSeconds: 5, capSeconds: 3600 });

/**
 * The transactional outbox (DESIGN "Data rules"): notify()/enqueue() write the message in the caller's transaction; a
 * worker renders and sends it with retries and backoff, records every attempt, and turns the last failure into a dead
 * letter with an alert. A crash between commit and send loses nothing; sending never blocks or fails the order flow.
 */
@Injectable()
export class NotificationsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  /** One sender loop per process (WorkLoops: woken by a commit or a NOTIFY, polling for retries and deferred messages). */
  private readonly loops: WorkLoops;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly templates: NotificationTemplatesService,
    private readonly mailer: Mailer,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
    private readonly settings: SettingsService,
    private readonly database: DatabaseListener,
  ) {
    // another process queued a message (or we were deaf for a while and look once)
    this.loops = new WorkLoops(this.logger, async () => ({ worked: await this.sendNext() }), config.NOTIFICATION_POLL_MS);
    database.subscribe('oms_notifications', () => this.kick());
  }

  /**
   * G3.2: tells the customer about `event` on the channels the settings turn on for it, in their locale (else the settings'
   * default). One message per channel and recipient, whatever retries run this again. Returns how many were queued.
   */
  async notify(
    manager: EntityManager,
    input: { event: NotificationEvent; subjectId: string; reference: string; to: NotificationRecipient; data: NotificationData },
  ): Promise<number> {
    const { notifications, timeZone } = await this.settings.get(manager);
    const wanted = notifications.events[input.event];
    const locale = input.to.locale ?? notifications.defaultLocale;
    const recipients: Array<[Channel, string | null]> = [
      ['email', wanted.email ? input.to.email : null],
      ['sms', wanted.sms ? smsNumberOf(input.to.phone) : null],
    ];
    let queued = 0;
    for (const [channel, recipient] of recipients) {
      if (!recipient) continue;
      await this.enqueue(manager, {
        idempotencyKey: `${input.event}:${input.subjectId}:${channel}:${recipient}`,
        channel,
        event: input.event,
        locale,
        recipient,
        reference: input.reference,
        data: { ...input.data, locale, timeZone },
      });
      queued++;
    }
    return queued;
  }

  async enqueue(manager: EntityManager, notification: OutgoingNotification): Promise<void> {
    await manager.query(
      `INSERT INTO notification (idempotency_key, channel, event, locale, recipient, reference, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
      [notification.idempotencyKey.slice(0, 200), notification.channel, notification.event, notification.locale, notification.recipient, notification.reference, JSON.stringify(notification.data)],
    );
    // once committed: this process's sender at once, the others through NOTIFY (their poll if that is lost)
    afterCommit(manager, () => {
      if (!this.kick()) this.database.notify('oms_notifications'); // this process sends none: the others are told
    });
  }

  /** The outbox of a record (an order or case number), newest first, with every attempt. */
  async listFor(reference: string | undefined, status: string | undefined, offset: number, limit: number): Promise<{ items: NotificationView[]; total: number }> {
    const params: unknown[] = [reference ?? null, status ? status.split(',') : null];
    const where = `WHERE ($1::text IS NULL OR n.reference = $1) AND ($2::text[] IS NULL OR n.status = ANY($2))`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM notification n ${where}`, params);
    const rows = await queryRows<NotificationView>(
      this.db,
      `SELECT n.id, n.channel, n.event, n.locale, n.recipient, n.reference, n.status, n.last_error AS "lastError",
              CASE WHEN n.status IN ('pending','sending') THEN n.next_attempt_at END AS "nextAttemptAt", n.sent_at AS "sentAt", n.created_at AS "createdAt",
              coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'outcome', a.outcome, 'error', a.error, 'providerMessageId', a.provider_message_id,
                         'startedAt', a.started_at, 'durationMs', a.duration_ms) ORDER BY a.id) FROM notification_attempt a WHERE a.notification_id = n.id), '[]') AS attempts
         FROM notification n ${where} ORDER BY n.created_at DESC, n.id LIMIT $3 OFFSET $4`,
      [...params, limit, offset],
    );
    const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
    return {
      items: rows.map((row) => ({
        ...row,
        nextAttemptAt: iso(row.nextAttemptAt),
        sentAt: iso(row.sentAt),
        createdAt: iso(row.createdAt)!,
        attempts: row.attempts.map((attempt) => ({ ...attempt, startedAt: iso(attempt.startedAt)! })),
      })),
      total,
    };
  }

  /** Whether a message is due to be sent now (the first start waits for the outbox to go quiet before printing the login). */
  async sendingDue(): Promise<boolean> {
    const [{ due }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM notification WHERE status IN ('pending','sending') AND next_attempt_at <= now()) AS due`);
    return due;
  }

  /** How many messages were given up on and nobody has looked at yet (open dead-letter alerts). */
  async openDeadLetterCount(): Promise<number> {
    const [{ open }] = await this.db.query(`SELECT count(*)::int AS open FROM system_alert WHERE kind = $1 AND status = 'open'`, [DEAD_LETTER_ALERT]);
    return open;
  }

  /** A person has dealt with an alert (told the customer another way, fixed the address); resolving twice keeps the first. */
  async resolveAlert(id: string, by: string): Promise<void> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Alert', id);
    const [row] = await queryRows<{ status: string }>(
      this.db,
      `UPDATE system_alert SET status = 'resolved', resolved_at = coalesce(resolved_at, now()), resolved_by = coalesce(resolved_by, $2) WHERE id = $1 RETURNING status`,
      [id, by],
    );
    if (!row) throw new NotFoundError('Alert', id);
  }

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.loops.start(1);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loops.stop(); // a send in progress finishes and is recorded
    this.mailer.close();
  }

  /** Wakes this process's sender; false when this process sends nothing (another process must be told). */
  kick(): boolean {
    return this.loops.kick();
  }

  /** Sends every due message now; returns how many were attempted. */
  drain(): Promise<number> {
    return this.loops.drain();
  }

  /** Claims the next due message and sends it; false when none is due. */
  private async sendNext(): Promise<boolean> {
    const next = await this.claim();
    if (!next) return false;
    await this.templates.refresh();
    if (this.config.FAULT_CRASH_BEFORE_SEND) process.kill(process.pid, 'SIGKILL');
    await this.send(next);
    return true;
  }

  private claim(): Promise<ClaimedNotification | undefined> {
    // the lease (locked_until) lets another process take over a message whose sender crashed mid-send
    return queryOne<ClaimedNotification>(
      this.db,
      `UPDATE notification SET status = 'sending', attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
        WHERE id = (SELECT id FROM notification
                     WHERE status IN ('pending','sending') AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                     ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, channel, event, locale, recipient, reference, data, attempts, idempotency_key AS "idempotencyKey"`,
      [this.config.NOTIFICATION_LEASE_SECONDS],
    );
  }

  private async send(notification: ClaimedNotification): Promise<void> {
    const startedAt = new Date();
    const deferUntil = await this.rateLimited(notification);
    if (deferUntil) {
      // over the recipient's hourly limit: it waits, and the wait is not a failed attempt
      await this.db.query(
        `WITH attempt AS (
           INSERT INTO notification_attempt (notification_id, attempt, outcome, error, started_at, duration_ms) VALUES ($1, $2, 'deferred', $3, $4, 0)
         )
         UPDATE notification SET status = 'pending', attempts = attempts - 1, locked_until = NULL, next_attempt_at = $5 WHERE id = $1`,
        [notification.id, notification.attempts, `rate limit: more than the hourly limit sent to this recipient; waits until ${deferUntil.toISOString()}`, startedAt, deferUntil],
      );
      return;
    }
    try {
      const { providerMessageId, message } = await this.deliver(notification);
      const durationMs = Date.now() - startedAt.getTime();
      // sent: recorded even through a database restart (within the lease), else another sender would send it again once
      // the lease ran out. Once only: a repeat after a COMMIT whose answer was lost finds it no longer 'sending'.
      await retryWhileUnavailable(
        () =>
          this.db.query(
            `WITH sent AS (
               UPDATE notification SET status = 'sent', sent_at = now(), provider_message_id = $3, last_error = NULL, locked_until = NULL,
                      sent_subject = $6, sent_text = $7, sent_html = $8
                WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING id
             )
             INSERT INTO notification_attempt (notification_id, attempt, outcome, provider_message_id, started_at, duration_ms)
             SELECT id, $2, 'sent', $3, $4, $5 FROM sent`,
            [notification.id, notification.attempts, providerMessageId, startedAt, durationMs, message.subject ?? null, message.text, message.html ?? null],
          ),
        this.config.NOTIFICATION_LEASE_SECONDS * 1000,
      );
    } catch (error) {
      // a missing or broken template or a bad address fails the same way every time: no point retrying
      const permanent = PERMANENT_ERRORS.some((type) => error instanceof type);
      const dead = permanent || notification.attempts >= MAX_SEND_ATTEMPTS;
      const reason = (error as Error).message.slice(0, 2000);
      this.logger.warn(`notification ${notification.id} (${notification.channel} ${notification.event}) attempt ${notification.attempts} failed${dead ? ' (giving up)' : ''}: ${reason}`);
      await this.db.query(
        `WITH attempt AS (
           INSERT INTO notification_attempt (notification_id, attempt, outcome, error, started_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)
         )
         UPDATE notification SET status = $7::varchar, last_error = $4, locked_until = NULL, next_attempt_at = now() + make_interval(secs => $8),
                dead_at = CASE WHEN $7::varchar = 'dead' THEN now() END
          WHERE id = $1`,
        [notification.id, notification.attempts, dead ? 'dead' : 'failed', reason, startedAt, Date.now() - startedAt.getTime(), dead ? 'dead' : 'pending', sendRetrySeconds(notification.attempts)],
      );
      if (dead) await this.raiseDeadLetter(notification, reason);
    }
  }

  /** Renders and hands the message to its channel; returns the provider's message id and what was sent. */
  private async deliver(notification: ClaimedNotification): Promise<{ providerMessageId: string; message: SentContent }> {
    const message = this.templates.renderer().render(notification.channel, notification.event, notification.locale, notification.data);
    const messageId = `${notification.id}@oms.notifications`;
    if (notification.channel === 'sms') {
      const to = smsNumberOf(notification.recipient);
      if (!to) throw new InvalidSmsRecipientError(notification.recipient);
      const text = smsText(message.text);
      return { providerMessageId: (await this.sms.send({ to, text, messageId })).messageId, message: { text } };
    }
    const subject = message.subject ?? notification.event;
    const result = await this.mailer.send({
      to: notification.recipient, subject, html: message.html, text: message.text, messageId: `<${messageId}>`,
      idempotencyKey: notification.idempotencyKey,
    });
    return { providerMessageId: result.messageId, message: { subject, text: message.text, html: message.html } };
  }

  /**
   * What the customer received (G5.5, issue 14 item 13): the stored subject, text and HTML of a sent message; for one not
   * sent (yet), what the current templates make of its data, marked so; a template that fails says why.
   */
  async content(id: string): Promise<MessageContent> {
    const row = await queryOne<{ channel: string; event: string; locale: string; data: Record<string, unknown>; status: string; subject: string | null; text: string | null; html: string | null }>(
      this.db,
      `SELECT channel, event, locale, data, status, sent_subject AS subject, sent_text AS text, sent_html AS html FROM notification WHERE id = $1`,
      [id],
    );
    if (!row) throw new NotFoundError('Notification', id);
    if (row.status === 'sent' && row.text !== null) return { sent: true, channel: row.channel, subject: row.subject, text: row.text, html: row.html };
    try {
      await this.templates.refresh();
      const message = this.templates.renderer().render(row.channel as 'email' | 'sms', row.event, row.locale, row.data);
      const text = row.channel === 'sms' ? smsText(message.text) : message.text;
      return { sent: false, channel: row.channel, subject: row.channel === 'sms' ? null : (message.subject ?? row.event), text, html: message.html ?? null };
    } catch (error) {
      return { sent: false, channel: row.channel, subject: null, text: null, html: null, error: (error as Error).message };
    }
  }

  /** When the recipient had the hourly maximum in the last hour: the time the oldest of those leaves the window. */
  private async rateLimited(notification: ClaimedNotification): Promise<Date | null> {
    const { notifications } = await this.settings.get();
    const row = await queryOne<{ sent: number; oldest: Date | null }>(
      this.db,
      `SELECT count(*)::int AS sent, min(sent_at) AS oldest FROM (
         SELECT sent_at FROM notification WHERE recipient = $1 AND status = 'sent' AND sent_at > now() - interval '1 hour' ORDER BY sent_at DESC LIMIT $2) recent`,
      [notification.recipient, notifications.maxPerRecipientPerHour],
    );
    if (!row || row.sent < notifications.maxPerRecipientPerHour || !row.oldest) return null;
    return new Date(new Date(row.oldest).getTime() + 3_600_000 + 1000);
  }

  /** A dead letter: an open alert in the admin, an error in the log, and a mail to the settings' alert address if there is one. */
  private async raiseDeadLetter(notification: ClaimedNotification, reason: string): Promise<void> {
    const message = `${notification.channel} "${notification.event}" to ${notification.recipient}${notification.reference ? ` (${notification.reference})` : ''} was given up after ${notification.attempts} attempt(s): ${reason}`;
    await this.db.query(`INSERT INTO system_alert (kind, reference, message) VALUES ($1, $2, $3)`, [DEAD_LETTER_ALERT, notification.reference, message.slice(0, 2000)]);
    this.logger.error(`dead letter: ${message}`);
    const { notifications } = await this.settings.get();
    if (!notifications.alertEmail || notification.recipient === notifications.alertEmail) return;
    await this.mailer
      .send({ to: notifications.alertEmail, subject: `[OMS] notification not delivered: ${notification.event}`, text: `${message}\n\nnotification ${notification.id}` })
      .catch((error: Error) => this.logger.error(`could not mail the dead-letter alert: ${error.message}`));
  }
}
