import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { queryOne } from '../database/sql';
import { InvalidHeaderError, InvalidRecipientError, Mailer } from './mailer';
import { TemplateCompileError, TemplateNotFoundError, TemplateRenderError, TemplateRenderer } from './template-renderer';

export interface OutgoingNotification {
  /** One send per key: a retried workflow step cannot send twice (e.g. `order-confirmation:<orderId>:email`). */
  idempotencyKey: string;
  channel: 'email';
  event: string;
  locale: string;
  recipient: string;
  /** What it is about (an order number), to show it on that record. */
  reference: string;
  data: Record<string, unknown>;
}

export const MAX_SEND_ATTEMPTS = 8;
const PERMANENT_ERRORS = [TemplateNotFoundError, TemplateCompileError, TemplateRenderError, InvalidRecipientError, InvalidHeaderError];
const backoffSeconds = (attempt: number) => Math.min(3600, 5 * 2 ** (attempt - 1));

/**
 * The transactional outbox (DESIGN "Data rules"): enqueue() writes the message in the caller's transaction;
 * a worker renders and sends it with retries, so a crash between commit and send loses nothing.
 */
@Injectable()
export class NotificationsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: TemplateRenderer,
    private readonly mailer: Mailer,
  ) {}

  async enqueue(manager: EntityManager, notification: OutgoingNotification): Promise<void> {
    await manager.query(
      `INSERT INTO notification (idempotency_key, channel, event, locale, recipient, reference, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
      [notification.idempotencyKey, notification.channel, notification.event, notification.locale, notification.recipient, notification.reference, JSON.stringify(notification.data)],
    );
    setTimeout(() => this.kick(), 20).unref();
  }

  onApplicationBootstrap(): void {
    if (this.config.WORKER_CONCURRENCY === 0) return;
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, 1000);
      this.timer.unref();
    };
    tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
    this.mailer.close();
  }

  /** Starts a drain unless one is running. */
  kick(): void {
    if (this.stopped || this.draining || this.config.WORKER_CONCURRENCY === 0) return;
    this.draining = this.drain()
      .then(() => undefined)
      .catch((error) => this.logger.error(`outbox: ${(error as Error).message}`))
      .finally(() => (this.draining = undefined));
  }

  /** Sends every due message; returns how many were attempted. */
  async drain(): Promise<number> {
    let attempted = 0;
    while (!this.stopped) {
      const next = await this.claim();
      if (!next) break;
      attempted++;
      await this.send(next);
    }
    return attempted;
  }

  private claim() {
    // the lease (locked_until) lets another process take over a message whose sender crashed mid-send
    return queryOne<{ id: string; channel: string; event: string; locale: string; recipient: string; data: Record<string, unknown>; attempts: number }>(
      this.db,
      `UPDATE notification SET status = 'sending', attempts = attempts + 1, locked_until = now() + interval '60 seconds'
        WHERE id = (SELECT id FROM notification
                     WHERE status IN ('pending','sending') AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                     ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, channel, event, locale, recipient, data, attempts`,
    );
  }

  private async send(notification: { id: string; event: string; locale: string; recipient: string; data: Record<string, unknown>; attempts: number }): Promise<void> {
    try {
      const message = this.renderer.render('email', notification.event, notification.locale, notification.data);
      const result = await this.mailer.send({
        to: notification.recipient,
        subject: message.subject ?? notification.event,
        html: message.html,
        text: message.text,
        messageId: `<${notification.id}@oms.notifications>`,
      });
      await this.db.query(
        `UPDATE notification SET status = 'sent', sent_at = now(), provider_message_id = $2, last_error = NULL, locked_until = NULL WHERE id = $1`,
        [notification.id, result.messageId],
      );
    } catch (error) {
      // a missing or broken template or a bad address fails the same way every time: no point retrying
      const permanent = PERMANENT_ERRORS.some((type) => error instanceof type);
      const dead = permanent || notification.attempts >= MAX_SEND_ATTEMPTS;
      const reason = (error as Error).message.slice(0, 2000);
      this.logger.warn(`notification ${notification.id} attempt ${notification.attempts} failed${dead ? ' (giving up)' : ''}: ${reason}`);
      await this.db.query(
        `UPDATE notification SET status = $2, last_error = $3, locked_until = NULL, next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
        [notification.id, dead ? 'dead' : 'pending', reason, backoffSeconds(notification.attempts)],
      );
    }
  }
}
