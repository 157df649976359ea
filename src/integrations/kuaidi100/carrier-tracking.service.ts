import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { runsWorkers } from '../../config/process-role';
import { afterCommit } from '../../database/after-commit';
import { queryOne, queryRows } from '../../database/sql';
import { WorkLoops } from '../../database/work-loops';
import { FulfillmentService } from '../../fulfillment/fulfillment.service';
import { IntegrationsService, type OpenedIntegration } from '../integrations.service';
import {
  buildKuaidi100Query, buildKuaidi100Subscription, KUAIDI100_PUSH_UNSUPPORTED, readKuaidi100QueryAnswer, readKuaidi100SubscriptionAnswer,
} from '../providers/kuaidi100';
import { raiseCarrierAlert, retrySeconds } from './carrier-work';
import { EWaybillService } from './e-waybill.service';
import {
  apiBaseUrlOf, Kuaidi100ConfigError, kuaidi100SettingsOf, LEASE_SECONDS, pollCarriersOf, sendToKuaidi100,
} from './kuaidi100-connector';
import { Kuaidi100Tracks } from './kuaidi100-pushes';

/** The system_alert kind of a parcel whose subscription or polling was given up. */
export const TRACKING_DEAD_ALERT = 'carrier_tracking_dead';

/** A parcel is polled for at most this long; one not delivered by then is for a person (stale_tracking alerts show it). */
const POLL_FOR_DAYS = 30;

interface ClaimedWatch {
  id: string;
  shipment_id: string;
  integration_id: string;
  carrier: string;
  tracking_number: string;
  mode: 'push' | 'poll';
  status: 'pending' | 'polling';
  attempts: number;
  old: boolean;
  phone: string | null;
  destination: string | null;
}

/**
 * Carrier tracking through Kuaidi100 (issue 15 item 4, G1.5): a parcel handed over under a tracking number while an active
 * kuaidi100 connector exists gets a watch row in the ship's own transaction; the worker loop then subscribes it at
 * Kuaidi100 (pushes come back to /hooks/{id}), or, for carriers without push (the connector's `pollCarriers`, or Kuaidi100
 * answering 701), queries its track every CARRIER_TRACKING_POLL_SECONDS until delivered. Failures are retried with
 * backoff; the last one is a dead letter: a system_alert and the connector's lastError. The e-waybill loop shares it.
 */
@Injectable()
export class CarrierTrackingService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CarrierTracking');
  private readonly loops: WorkLoops;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fulfillment: FulfillmentService,
    private readonly integrations: IntegrationsService,
    private readonly tracks: Kuaidi100Tracks,
    private readonly waybills: EWaybillService,
  ) {
    // one loop drains both queues: the watches, then the waybills still to fetch
    this.loops = new WorkLoops(this.logger, async () => ({ worked: (await this.runNext()) || (await this.waybills.runNext()) }), config.CARRIER_POLL_MS);
  }

  onModuleInit(): void {
    this.fulfillment.onCarrierEvents({
      packed: (manager, shipmentId) => this.waybills.packed(manager, shipmentId),
      afterPacked: (shipmentId) => this.waybills.issueNow(shipmentId),
      retryWaybill: (shipmentId) => this.waybills.retry(shipmentId),
    });
    // in the ship's transaction: the parcels handed over under this number are to be tracked
    this.fulfillment.onShipmentsShipped((manager, shipmentIds, { carrier, trackingNumber }) => this.watch(manager, shipmentIds, carrier, trackingNumber));
  }

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.loops.start(1);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loops.stop();
  }

  /**
   * In the ship's transaction: one watch per active kuaidi100 connector for the parcel (one row for the shipments handed
   * over together under one number: TrackingService gives them all its events).
   */
  async watch(manager: EntityManager, shipmentIds: string[], carrier: string, trackingNumber: string): Promise<void> {
    const connectors = await queryRows<{ id: string; settings: Record<string, unknown> }>(
      manager, `SELECT id, settings FROM integration WHERE kind = 'kuaidi100' AND status = 'active' ORDER BY created_at`);
    let added = 0;
    for (const connector of connectors) {
      const mode = pollCarriersOf(connector.settings).includes(carrier) ? 'poll' : 'push';
      const inserted = await queryRows(
        manager,
        `INSERT INTO carrier_tracking_watch (shipment_id, integration_id, carrier, tracking_number, mode, status)
         SELECT $1::uuid, $2::uuid, $3::varchar, $4::varchar, $5::varchar, CASE WHEN $5::varchar = 'poll' THEN 'polling' ELSE 'pending' END
          WHERE NOT EXISTS (SELECT 1 FROM carrier_tracking_watch WHERE integration_id = $2::uuid AND carrier = $3::varchar AND tracking_number = $4::varchar AND status <> 'dead')
         ON CONFLICT (shipment_id, integration_id) DO NOTHING RETURNING id`,
        [shipmentIds[0], connector.id, carrier, trackingNumber, mode],
      );
      added += inserted.length;
    }
    // a number given by the e-waybill and not used: the waybill no longer waits for one
    await manager.query(
      `UPDATE carrier_waybill SET status = 'failed', locked_until = NULL, last_error = $2 WHERE shipment_id = ANY($1::uuid[]) AND status = 'pending'`,
      [shipmentIds, `shipped as ${carrier} ${trackingNumber} before the e-waybill was issued`],
    );
    if (added) afterCommit(manager, () => this.loops.wakeOne());
  }

  /** Wakes this process's loop (a retry asked for now); false when this process runs no workers. */
  kick(): boolean {
    return this.loops.wakeOne();
  }

  /** Claims the next due watch (leased: the call to Kuaidi100 is made outside any transaction) and works it. */
  async runNext(): Promise<boolean> {
    const watch = await queryOne<ClaimedWatch>(
      this.db,
      `UPDATE carrier_tracking_watch w SET attempts = w.attempts + 1, locked_until = now() + make_interval(secs => $1), updated_at = now()
        FROM shipment s JOIN customer_order o ON o.id = s.order_id
        WHERE w.id = (SELECT id FROM carrier_tracking_watch
                       WHERE status IN ('pending', 'polling') AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                       ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
          AND s.id = w.shipment_id
        RETURNING w.id, w.shipment_id, w.integration_id, w.carrier, w.tracking_number, w.mode, w.status, w.attempts,
                  w.created_at < now() - make_interval(days => $2) AS old, o.customer_phone AS phone,
                  concat_ws('', o.shipping_address->>'province', o.shipping_address->>'city', o.shipping_address->>'district') AS destination`,
      [LEASE_SECONDS, POLL_FOR_DAYS],
    );
    if (!watch) return false;
    let connector: OpenedIntegration;
    try {
      connector = await this.integrations.open(watch.integration_id);
    } catch (error) {
      if (error instanceof NotFoundError) return true; // deleted meanwhile: its watches went with it
      await this.failed(watch, null, error);
      return true;
    }
    if (connector.paused) {
      // a paused connector calls nobody; the watch waits, and the wait is no failed attempt
      await this.db.query(`UPDATE carrier_tracking_watch SET attempts = attempts - 1, locked_until = NULL, next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1`,
        [watch.id, this.config.CARRIER_RETRY_BASE_SECONDS]);
      return true;
    }
    try {
      if (watch.status === 'pending') await this.subscribe(watch, connector);
      else await this.poll(watch, connector);
    } catch (error) {
      await this.failed(watch, connector, error);
    }
    return true;
  }

  /** 订阅: subscribed (or already: 501) → Kuaidi100 pushes from now on; 701 (no push for this carrier) → polled instead. */
  private async subscribe(watch: ClaimedWatch, connector: OpenedIntegration): Promise<void> {
    const settings = kuaidi100SettingsOf(connector, this.integrations.webhookUrl(connector.kind, connector.id)!);
    const request = buildKuaidi100Subscription({ carrier: watch.carrier, trackingNumber: watch.tracking_number, phone: watch.phone ?? undefined, to: watch.destination || undefined }, settings);
    const answer = readKuaidi100SubscriptionAnswer(await sendToKuaidi100(request, apiBaseUrlOf(connector)));
    if (answer.subscribed) {
      await this.db.query(`UPDATE carrier_tracking_watch SET status = 'subscribed', locked_until = NULL, last_error = NULL, updated_at = now() WHERE id = $1`, [watch.id]);
      await this.integrations.noteResult(connector.id, null);
      return;
    }
    if (answer.returnCode === KUAIDI100_PUSH_UNSUPPORTED) {
      await this.db.query(
        `UPDATE carrier_tracking_watch SET mode = 'poll', status = 'polling', attempts = 0, next_attempt_at = now(), locked_until = NULL, last_error = $2, updated_at = now() WHERE id = $1`,
        [watch.id, `Kuaidi100 does not push for ${watch.carrier} (${answer.returnCode} ${answer.message}): polled instead`.slice(0, 2000)]);
      this.loops.wakeOne();
      return;
    }
    throw new Error(`Kuaidi100 refused the subscription of ${watch.carrier} ${watch.tracking_number}: ${answer.returnCode} ${answer.message}`);
  }

  /** 实时查询: the track so far into tracking events; polled again after the interval until delivered (or too old). */
  private async poll(watch: ClaimedWatch, connector: OpenedIntegration): Promise<void> {
    const { key, customer } = connector.secrets;
    if (!key || !customer) throw new Kuaidi100ConfigError(`connector ${connector.name} needs the secrets "key" and "customer" (实时查询) to poll ${watch.carrier}`);
    const request = buildKuaidi100Query({ carrier: watch.carrier, trackingNumber: watch.tracking_number, phone: watch.phone ?? undefined }, { key, customer });
    const answer = readKuaidi100QueryAnswer(await sendToKuaidi100(request, apiBaseUrlOf(connector)));
    if (!answer.ok) throw new Error(answer.reason);
    const track = { ...answer.value, trackingNumber: watch.tracking_number };
    await this.tracks.ingest(connector, track, watch.carrier);
    const delivered = track.events.some((event) => event.status === 'delivered');
    const status = delivered ? 'delivered' : watch.old ? 'dead' : 'polling';
    await this.db.query(
      `UPDATE carrier_tracking_watch SET status = $2, attempts = 0, locked_until = NULL, last_error = $4, last_polled_at = now(),
              next_attempt_at = now() + make_interval(secs => $3), updated_at = now() WHERE id = $1`,
      [watch.id, status, this.config.CARRIER_TRACKING_POLL_SECONDS, status === 'dead' ? `not delivered after ${POLL_FOR_DAYS} days of polling` : null],
    );
    await this.integrations.noteResult(connector.id, null);
  }

  /** A failed try: again after the backoff, or, the tries used up (or a setting missing), a dead letter. */
  private async failed(watch: ClaimedWatch, connector: OpenedIntegration | null, error: unknown): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const dead = error instanceof Kuaidi100ConfigError || watch.attempts >= this.config.CARRIER_MAX_ATTEMPTS;
    const what = watch.status === 'pending' ? 'subscription' : 'tracking poll';
    this.logger.warn(`${what} of ${watch.carrier} ${watch.tracking_number} attempt ${watch.attempts} failed${dead ? ' (giving up)' : ''}: ${reason}`);
    await this.db.query(
      `UPDATE carrier_tracking_watch SET status = CASE WHEN $3 THEN 'dead' ELSE status END, last_error = $2, locked_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4), updated_at = now() WHERE id = $1`,
      [watch.id, reason, dead, retrySeconds(this.config, watch.attempts)],
    );
    if (!dead) return;
    const message = `Kuaidi100 ${what} of ${watch.carrier} ${watch.tracking_number} (shipment ${watch.shipment_id}) was given up after ${watch.attempts} attempt(s): ${reason}`;
    await raiseCarrierAlert(this.db, TRACKING_DEAD_ALERT, `shipment:${watch.shipment_id}`, message);
    if (connector) await this.integrations.noteResult(connector.id, message);
  }
}
