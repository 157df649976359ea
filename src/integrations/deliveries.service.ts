import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { AppError, InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { queryOne, queryRows } from '../database/sql';
import type { DeliveryView } from './integration-views';
import { IntegrationsService } from './integrations.service';

export type { DeliveryView } from './integration-views';
import { type DeliveryOutcome, REPLAYABLE_KINDS, WebhooksService } from './webhooks.service';

/**
 * How long the body of a failed delivery is kept for a replay. It holds the customer's name, phone and address (G5.2
 * intake data), so it is kept no longer than a person needs to notice the failure and fix its cause; a provider sends
 * a delivery again for about as long (Shopify retries for 48 hours, WooCommerce until it disables the webhook).
 */
export const REPLAY_RETENTION_DAYS = 7;
/** How often a worker clears the bodies older than that (an expired body is never replayed, swept or not). */
const SWEEP_MS = 60 * 60 * 1000;


interface DeliveryRow {
  id: string;
  delivery_id: string;
  topic: string | null;
  received_at: Date;
  outcome: DeliveryOutcome;
  external_id: string | null;
  order_id: string | null;
  order_number: string | null;
  error: string | null;
  kept: boolean;
  replays: number;
  replayed_at: Date | null;
}

const COLUMNS = `d.id::text AS id, d.delivery_id, d.topic, d.received_at, d.outcome, d.external_id, d.order_id, o.number AS order_number, d.error,
  (d.replay_body IS NOT NULL AND d.received_at > now() - make_interval(days => ${REPLAY_RETENTION_DAYS})) AS kept, d.replays, d.replayed_at`;
const FROM = `FROM integration_delivery d LEFT JOIN customer_order o ON o.id = d.order_id`;
const ROW_ID = /^[1-9]\d{0,17}$/;

/**
 * A connector's recent deliveries and the replay of a failed one (issue 15 item 6), for `/api/integrations/{id}/deliveries`
 * and the admin's Integrations page alike; the retention of the kept bodies.
 */
@Injectable()
export class IntegrationDeliveriesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IntegrationDeliveries');
  private sweep?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrations: IntegrationsService,
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    if (!runsWorkers(this.config)) return;
    void this.forgetExpired().catch(() => undefined);
    this.sweep = setInterval(() => void this.forgetExpired().catch((error: unknown) => this.logger.warn(`retention sweep: ${String(error)}`)), SWEEP_MS);
    this.sweep.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.sweep);
  }

  /** Clears the bodies kept longer than REPLAY_RETENTION_DAYS; the delivery rows (no body) stay for the counts. */
  async forgetExpired(): Promise<number> {
    const [, cleared] = await this.db.query(
      `UPDATE integration_delivery SET replay_body = NULL WHERE replay_body IS NOT NULL AND received_at <= now() - make_interval(days => $1)`, [REPLAY_RETENTION_DAYS]);
    return Number(cleared) || 0;
  }

  /** Newest first; `outcome` narrows to one outcome (`failed`: what may need a replay). 404 for no such connector. */
  async list(integrationId: string, { offset, limit, outcome }: { offset: number; limit: number; outcome?: DeliveryOutcome }): Promise<{ items: DeliveryView[]; total: number }> {
    const connector = await this.integrations.get(integrationId);
    const where = `WHERE d.integration_id = $1 AND ($2::varchar IS NULL OR d.outcome = $2)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM integration_delivery d ${where}`, [connector.id, outcome ?? null]);
    const rows = await queryRows<DeliveryRow>(this.db, `SELECT ${COLUMNS} ${FROM} ${where} ORDER BY d.received_at DESC, d.id DESC OFFSET $3 LIMIT $4`, [connector.id, outcome ?? null, offset, limit]);
    return { items: rows.map((row) => toView(row, connector.kind)), total };
  }

  /**
   * Runs a failed delivery's kept body through the same processing as when it arrived (WebhooksService.replay), for a
   * person who fixed the cause. Only `failed` ones (our side failed; the signature was good): a `rejected` delivery's
   * signature or content was refused and is never kept. Audited with the outcome. The answer is the delivery as it is
   * now: created (or duplicate, when the order came meanwhile), or failed / rejected again with the error.
   */
  async replay(integrationId: string, rowId: string, by: Acting): Promise<DeliveryView> {
    const connector = await this.integrations.get(integrationId);
    const stored = ROW_ID.test(rowId)
      ? await queryOne<DeliveryRow & { replay_body: Buffer | null }>(this.db, `SELECT ${COLUMNS}, d.replay_body ${FROM} WHERE d.integration_id = $1 AND d.id = $2`, [connector.id, rowId])
      : undefined;
    if (!stored) throw new NotFoundError('Delivery', rowId);
    if (stored.outcome !== 'failed') {
      throw new InvalidStateError(stored.outcome === 'rejected'
        ? `Delivery ${stored.delivery_id} was rejected (its signature or content was refused); only a delivery that failed on our side can be replayed: the provider must send it again`
        : `Delivery ${stored.delivery_id} is ${stored.outcome} already; only a failed delivery can be replayed`);
    }
    if (!REPLAYABLE_KINDS.includes(connector.kind)) throw new InvalidStateError(`Deliveries of ${connector.kind} connectors are not replayed here; the provider sends them again`);
    if (!stored.kept || !stored.replay_body) {
      throw new InvalidStateError(`Delivery ${stored.delivery_id}'s body is no longer kept (at most ${REPLAY_RETENTION_DAYS} days); ask the provider to send it again`);
    }
    if (connector.status === 'paused') throw new InvalidStateError(`The connector ${connector.name} is paused; resume it to replay its deliveries`);

    await this.db.query(`UPDATE integration_delivery SET replays = replays + 1, replayed_at = now() WHERE id = $1`, [rowId]);
    let refusal: AppError | undefined;
    try {
      await this.webhooks.replay(connector.id, { deliveryId: stored.delivery_id, topic: stored.topic, body: stored.replay_body });
    } catch (error) {
      // failed or rejected again: the row says so (with the error), which is the answer; a refusal that wrote nothing
      // (the intake's back pressure, the connector paused meanwhile) is the caller's to see
      if (error instanceof AppError && !(error instanceof ValidationError)) refusal = error;
    }
    const now = await queryOne<DeliveryRow>(this.db, `SELECT ${COLUMNS} ${FROM} WHERE d.id = $1`, [rowId]);
    if (!now) throw new NotFoundError('Delivery', rowId); // the connector was deleted meanwhile
    const view = toView(now, connector.kind);
    await this.audit.record({
      ...by,
      action: 'integration.replay',
      target: `integration:${connector.id}`,
      details: { kind: connector.kind, name: connector.name, delivery: stored.delivery_id, outcome: view.outcome, ...(view.orderId ? { orderId: view.orderId } : {}), ...(refusal ? { refused: refusal.message } : {}) },
    });
    if (refusal && view.outcome === 'failed') throw refusal;
    return view;
  }
}

function toView(row: DeliveryRow, kind: string): DeliveryView {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    topic: row.topic,
    receivedAt: new Date(row.received_at).toISOString(),
    outcome: row.outcome,
    externalId: row.external_id,
    orderId: row.order_id,
    orderNumber: row.order_number,
    error: row.error,
    replayable: row.outcome === 'failed' && row.kept && REPLAYABLE_KINDS.includes(kind),
    replays: row.replays,
    replayedAt: row.replayed_at ? new Date(row.replayed_at).toISOString() : null,
  };
}
