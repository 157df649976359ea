import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import { NotFoundError, ValidationError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import { SettingsService } from '../settings/settings.service';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { OrderNotifications, shipmentData } from '../orders/order-notifications';
import { OrderShippingService } from '../orders/order-shipping.service';
import type { TrackingEvent, TrackingEventStatus } from './carriers/carrier-adapter';
import { CARRIER_CODES, isCarrierCode, SIMULATED_CARRIER, trackingUrlOf } from './carriers/carriers';

/** G1.5: a shipment with no tracking update for this long is listed as a stale_tracking alert (a setting later). */

export type AlertKind = 'stale_tracking' | 'address_problem' | 'delivery_exception';

export interface LogisticsAlertView {
  /** A stored alert's uuid; `stale:<shipmentId>` for stale tracking, which is computed when listed. */
  id: string;
  kind: AlertKind;
  message: string;
  shipmentId: string;
  orderId: string;
  orderNumber: string;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  lastEventAt: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

/**
 * G1.5: shipments on their way whose tracking went quiet for longer than `hoursParam` (a SQL parameter): the computed
 * stale_tracking alerts (`id` 'stale:<shipment id>', raised when the quiet time ran out). Shared with the exception queues.
 */
export const staleTrackingSql = (hoursParam: string) => `
  SELECT 'stale:' || s.id AS id, s.id AS shipment_id, s.order_id, last.at + make_interval(hours => ${hoursParam}) AS created_at
    FROM shipment s
    CROSS JOIN LATERAL (SELECT coalesce((SELECT max(e.at) FROM shipment_event e WHERE e.shipment_id = s.id), s.shipped_at) AS at) last
   WHERE s.status IN ('shipped','in_transit') AND last.at < now() - make_interval(hours => ${hoursParam})`;

/** An exception whose description speaks of the address is the customer's to fix (address_problem), not the carrier's. */
const ADDRESS_PROBLEM = /地址|address|addr\b|收件人信息|门牌/i;

interface TrackedShipment {
  id: string;
  order_id: string;
  status: string;
  shipped_at: Date | null;
}

/** Tracking events from carriers, the shipment status they imply, delivery of the order and logistics alerts (G1.5). */
@Injectable()
export class TrackingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly fulfillment: FulfillmentService,
    private readonly shipping: OrderShippingService,
    private readonly settings: SettingsService,
    private readonly orderNotifications: OrderNotifications,
  ) {}

  /**
   * Stores the carrier's events once each (key: sha256 of carrier|tracking|at|status|location), moves the shipment's status
   * along and raises alerts; a shipment delivered makes the order delivered once every shipment of it is.
   */
  async ingest(carrier: string, trackingNumber: string, events: TrackingEvent[], actor: Actor): Promise<{ accepted: number; duplicates: number }> {
    if (!isCarrierCode(carrier)) throw ValidationError.of('carrier', `must be one of ${CARRIER_CODES.join(', ')}`);
    return this.db.transaction(async (manager) => {
      const shipment = await queryOne<TrackedShipment>(
        manager,
        `SELECT id, order_id, status, shipped_at FROM shipment WHERE carrier = $1 AND tracking_number = $2 AND status <> 'cancelled'
          ORDER BY shipped_at DESC NULLS LAST, created_at DESC LIMIT 1 FOR UPDATE`,
        [carrier, trackingNumber],
      );
      if (!shipment) throw new NotFoundError('Shipment with tracking number', `${carrier} ${trackingNumber}`);
      // shipments handed over together under this number (a merged parcel, an order's shipments shipped at once) share its
      // journey; shipped_at is compared in SQL because a JS Date would drop its microseconds
      const fellows = await queryRows<TrackedShipment>(
        manager,
        `SELECT id, order_id, status, shipped_at FROM shipment WHERE carrier = $1 AND tracking_number = $2 AND status <> 'cancelled'
            AND shipped_at = (SELECT shipped_at FROM shipment WHERE id = $3) AND id <> $3 ORDER BY id FOR UPDATE`,
        [carrier, trackingNumber, shipment.id],
      );
      const fresh: TrackingEvent[] = [];
      for (const event of events) {
        const at = new Date(event.at).toISOString(); // one instant, whatever offset the carrier wrote it in
        const location = event.location?.trim() || null;
        const key = createHash('sha256').update([carrier, trackingNumber, at, event.status, location ?? ''].join('|')).digest('hex');
        const inserted = await queryRows(
          manager,
          `INSERT INTO shipment_event (shipment_id, at, status, location, description, event_key) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (event_key) DO NOTHING RETURNING id`,
          [shipment.id, at, event.status, location, event.description?.trim() || null, key],
        );
        if (inserted.length === 0) continue;
        fresh.push({ ...event, at, location });
        for (const fellow of fellows) {
          await manager.query(
            `INSERT INTO shipment_event (shipment_id, at, status, location, description, event_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_key) DO NOTHING`,
            [fellow.id, at, event.status, location, event.description?.trim() || null, createHash('sha256').update(`${key}|${fellow.id}`).digest('hex')],
          );
        }
      }
      if (fresh.length) {
        for (const tracked of [shipment, ...fellows]) await this.applyEvents(manager, tracked, carrier, trackingNumber, fresh, actor);
      }
      return { accepted: fresh.length, duplicates: events.length - fresh.length };
    });
  }

  /**
   * Demo data and demos: the simulated carrier plays the shipment's carrier and reports the journey so far (or all of it,
   * up to delivered), through the same path as a carrier's push.
   */
  async simulate(trackingNumber: string, toDelivered: boolean, actor: Actor, now = new Date()): Promise<{ accepted: number; duplicates: number }> {
    const shipment = await queryOne<{ carrier: string; shipped_at: Date | null }>(
      this.db,
      `SELECT carrier, shipped_at FROM shipment WHERE tracking_number = $1 AND carrier IS NOT NULL AND status <> 'cancelled'
        ORDER BY shipped_at DESC NULLS LAST LIMIT 1`,
      [trackingNumber],
    );
    if (!shipment) throw new NotFoundError('Shipment with tracking number', trackingNumber);
    const parcel = { carrier: shipment.carrier, trackingNumber, shippedAt: shipment.shipped_at ? new Date(shipment.shipped_at) : null };
    const events = toDelivered ? await SIMULATED_CARRIER.allEvents(parcel) : await SIMULATED_CARRIER.fetchEvents(parcel, now);
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    return this.ingest(shipment.carrier, trackingNumber, events, actor);
  }

  /**
   * Open (default), resolved or all alerts, newest first; open ones include shipments whose tracking went quiet
   * for longer than the settings' alertThresholds.staleTrackingHours.
   */
  async alerts(status: 'open' | 'resolved' | 'all', offset: number, limit: number, id: string | null = null, orderId: string | null = null): Promise<{ items: LogisticsAlertView[]; total: number }> {
    const staleHours = (await this.settings.get()).alertThresholds.staleTrackingHours;
    const cte = `
      WITH alerts AS (
        SELECT a.id::text AS id, a.kind, a.message, a.shipment_id, a.created_at, a.resolved_at
          FROM logistics_alert a
         WHERE ($1 = 'all' OR ($1 = 'open' AND a.resolved_at IS NULL) OR ($1 = 'resolved' AND a.resolved_at IS NOT NULL))
           AND ($3::text IS NULL OR a.id::text = $3)
           AND ($4::uuid IS NULL OR a.shipment_id IN (SELECT id FROM shipment WHERE order_id = $4::uuid))
        UNION ALL
        SELECT stale.id, 'stale_tracking', NULL, stale.shipment_id, stale.created_at, NULL
          FROM (${staleTrackingSql('$2')}) stale
         WHERE $3::text IS NULL AND $1 IN ('open','all') AND ($4::uuid IS NULL OR stale.order_id = $4::uuid)
      )`;
    const [{ total }] = await this.db.query(`${cte} SELECT count(*)::int AS total FROM alerts`, [status, staleHours, id, orderId]);
    const rows: Array<{
      id: string; kind: AlertKind; message: string | null; shipmentId: string; orderId: string; orderNumber: string; carrier: string | null;
      trackingNumber: string | null; lastEventAt: Date | null; createdAt: Date; resolvedAt: Date | null;
    }> = await this.db.query(
      `${cte}
       SELECT a.id, a.kind, a.message, s.id AS "shipmentId", s.order_id AS "orderId", o.number AS "orderNumber", s.carrier,
              s.tracking_number AS "trackingNumber",
              coalesce((SELECT max(e.at) FROM shipment_event e WHERE e.shipment_id = s.id), s.shipped_at) AS "lastEventAt",
              a.created_at AS "createdAt", a.resolved_at AS "resolvedAt"
         FROM alerts a JOIN shipment s ON s.id = a.shipment_id JOIN customer_order o ON o.id = s.order_id
        ORDER BY a.created_at DESC, a.id LIMIT $5 OFFSET $6`,
      [status, staleHours, id, orderId, limit, offset],
    );
    const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
    const items = rows.map((row) => ({
      ...row,
      message: row.message ?? staleMessage(row.carrier, row.trackingNumber, row.lastEventAt, staleHours),
      trackingUrl: trackingUrlOf(row.carrier, row.trackingNumber),
      lastEventAt: iso(row.lastEventAt),
      createdAt: iso(row.createdAt)!,
      resolvedAt: iso(row.resolvedAt),
    }));
    return { items, total };
  }

  /** A person dealt with a stored alert (contacted the customer, the carrier re-delivered, ...); resolving twice changes nothing. */
  async resolveAlert(id: string, actor: Actor): Promise<LogisticsAlertView> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundError('Logistics alert', id);
    const resolved = await queryRows(
      this.db,
      `UPDATE logistics_alert SET resolved_at = coalesce(resolved_at, now()), resolved_by = coalesce(resolved_by, $2) WHERE id = $1 RETURNING id`,
      [id, actor.name],
    );
    if (resolved.length === 0) throw new NotFoundError('Logistics alert', id);
    return (await this.alerts('all', 0, 1, id)).items[0];
  }

  private async applyEvents(manager: EntityManager, shipment: TrackedShipment, carrier: string, trackingNumber: string, fresh: TrackingEvent[], actor: Actor): Promise<void> {
    // the status follows every event stored (they may arrive out of order): delivered stays, else the latest event decides
    const all = await queryRows<{ status: TrackingEventStatus }>(
      manager,
      `SELECT status FROM shipment_event WHERE shipment_id = $1 ORDER BY at DESC, id DESC`,
      [shipment.id],
    );
    const status = all.some((event) => event.status === 'delivered') ? 'delivered' : shipmentStatusOf(all[0].status);
    const latest = fresh.at(-1)!;
    await this.fulfillment.applyTrackingStatus(manager, shipment.id, status, actor.name, `${carrier} ${latest.status}${latest.location ? ` at ${latest.location}` : ''}`);

    for (const event of fresh.filter((e) => e.status === 'exception' || e.status === 'returned')) {
      const text = [event.description, event.location].filter(Boolean).join(' · ');
      const kind: AlertKind = event.status === 'exception' && ADDRESS_PROBLEM.test(`${event.description ?? ''}`) ? 'address_problem' : 'delivery_exception';
      const what = event.status === 'returned' ? 'returned to sender' : kind === 'address_problem' ? 'address problem' : 'delivery exception';
      const raised = await manager.query(
        `INSERT INTO logistics_alert (shipment_id, kind, message) VALUES ($1, $2, $3)
         ON CONFLICT (shipment_id, kind) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
        [shipment.id, kind, `${carrier} ${trackingNumber}: ${what}${text ? ` (${text})` : ''}`.slice(0, 1000)],
      );
      // G2.6 "keep the customer informed": once per alert raised
      if (raised.length) {
        await this.orderNotifications.send(manager, shipment.order_id, 'delivery-problem', {
          shipment: shipmentData(carrier, trackingNumber),
          problem: { kind, description: text || what },
        }, `alert:${raised[0].id}`);
      }
    }
    if (status === 'delivered') {
      // idempotent: the order moves only when it is shipped and every shipment of it is delivered
      await manager.query(
        `UPDATE logistics_alert SET resolved_at = now(), resolved_by = 'delivered' WHERE shipment_id = $1 AND resolved_at IS NULL`,
        [shipment.id],
      );
      await this.shipping.recordDelivery(manager, shipment.order_id, actor.name, `${carrier} ${trackingNumber} delivered`);
    }
  }
}

function shipmentStatusOf(event: TrackingEventStatus): 'in_transit' | 'delivered' | 'exception' {
  if (event === 'delivered') return 'delivered';
  if (event === 'exception' || event === 'returned') return 'exception';
  return 'in_transit';
}

function staleMessage(carrier: string | null, trackingNumber: string | null, lastEventAt: Date | null, hours: number): string {
  const since = lastEventAt ? ` since ${new Date(lastEventAt).toISOString()}` : '';
  return `${carrier ?? 'carrier'} ${trackingNumber ?? ''}: no tracking update for over ${hours} hours${since}`;
}
