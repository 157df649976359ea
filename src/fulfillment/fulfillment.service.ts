import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import type { ShipmentStatus } from './shipment.entity';
import { OPEN_SHIPMENT_STATUSES, SHIPMENT_TRANSITIONS } from './shipment-status';

export interface ShipmentView {
  id: string;
  orderId: string;
  warehouse: string;
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  lines: Array<{ sku: string; quantity: number }>;
  events: Array<{ at: string; status: string; location: string | null; description: string | null }>;
}

/** GET /api/shipments/{id}: the API.md shipment plus where it stands in the warehouse and its status history. */
export interface ShipmentDetail extends ShipmentView {
  orderNumber: string;
  pickListId: string | null;
  packedAt: string | null;
  packedBy: string | null;
  shippedAt: string | null;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names no shipment (404), rather than a database cast error. */
export const isUuid = (value: string): boolean => UUID.test(value);

const SHIPMENT_VIEW_SQL = `
  SELECT s.id, s.order_id AS "orderId", w.code AS warehouse, s.status, s.carrier, s.tracking_number AS "trackingNumber",
         (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.sku) FROM shipment_line l WHERE l.shipment_id = s.id) AS lines,
         (SELECT json_agg(json_build_object('at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'status', e.status,
                 'location', e.location, 'description', e.description) ORDER BY e.at, e.id) FROM shipment_event e WHERE e.shipment_id = s.id) AS events
    FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id`;

/** Shipments of an order: created by allocation, picked and packed in the warehouse, shipped (G1.4, G1.5). */
@Injectable()
export class FulfillmentService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async createShipment(manager: EntityManager, orderId: string, warehouseId: string, lines: Array<{ sku: string; quantity: number }>): Promise<string> {
    const [shipment] = await manager.query(`INSERT INTO shipment (order_id, warehouse_id) VALUES ($1, $2) RETURNING id`, [orderId, warehouseId]);
    for (const line of lines) {
      await manager.query(`INSERT INTO shipment_line (shipment_id, sku, quantity) VALUES ($1, $2, $3)`, [shipment.id, line.sku, line.quantity]);
    }
    await this.recordHistory(manager, [shipment.id], null, 'allocated', 'system', null);
    return shipment.id;
  }

  /** Confirms every open shipment of the order as handed to the carrier; returns how many. */
  async shipOpenShipments(manager: EntityManager, orderId: string, carrier: string, trackingNumber: string, by = 'system'): Promise<number> {
    const shipped = await this.moveOpenShipments(
      manager,
      orderId,
      'shipped',
      `carrier = $3, tracking_number = $4, shipped_at = now()`,
      [carrier, trackingNumber],
      by,
      `${carrier} ${trackingNumber}`,
    );
    return shipped;
  }

  async cancelOpenShipments(manager: EntityManager, orderId: string, by = 'system', note = 'order cancelled'): Promise<void> {
    await this.moveOpenShipments(manager, orderId, 'cancelled', '', [], by, note);
  }

  /** The open shipments of an order move together (one-step ship, cancel); each move lands in the shipment's history. */
  private async moveOpenShipments(manager: EntityManager, orderId: string, to: ShipmentStatus, set: string, params: unknown[], by: string, note: string): Promise<number> {
    const moved = await queryRows<{ id: string; from: ShipmentStatus }>(
      manager,
      `WITH open AS (SELECT id, status FROM shipment WHERE order_id = $1 AND status = ANY($2) ORDER BY id FOR UPDATE)
       UPDATE shipment s SET status = '${to}', ${set ? `${set}, ` : ''}updated_at = now() FROM open WHERE s.id = open.id RETURNING s.id, open.status AS "from"`,
      [orderId, OPEN_SHIPMENT_STATUSES, ...params],
    );
    for (const from of new Set(moved.map((row) => row.from))) {
      await this.recordHistory(manager, moved.filter((row) => row.from === from).map((row) => row.id), from, to, by, note);
    }
    return moved.length;
  }

  async shipmentsOf(manager: EntityManager, orderIds: string[]): Promise<Map<string, ShipmentView[]>> {
    const byOrder = new Map<string, ShipmentView[]>();
    if (orderIds.length === 0) return byOrder;
    const rows: Array<Omit<ShipmentView, 'lines' | 'events'> & { lines: ShipmentView['lines'] | null; events: ShipmentView['events'] | null }> = await manager.query(
      `${SHIPMENT_VIEW_SQL} WHERE s.order_id = ANY($1) ORDER BY s.created_at`,
      [orderIds],
    );
    for (const row of rows) {
      byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), { ...row, lines: row.lines ?? [], events: row.events ?? [] }]);
    }
    return byOrder;
  }

  async getShipment(id: string, manager: EntityManager = this.db.manager): Promise<ShipmentDetail> {
    if (!isUuid(id)) throw new NotFoundError('Shipment', id);
    const row = await queryOne<Omit<ShipmentDetail, 'lines' | 'events' | 'history'> & { lines: ShipmentView['lines'] | null; events: ShipmentView['events'] | null }>(
      manager,
      `SELECT v.*, o.number AS "orderNumber", s.pick_list_id AS "pickListId", s.packed_at AS "packedAt", s.packed_by AS "packedBy", s.shipped_at AS "shippedAt"
         FROM (${SHIPMENT_VIEW_SQL} WHERE s.id = $1) v JOIN shipment s ON s.id = v.id JOIN customer_order o ON o.id = s.order_id`,
      [id],
    );
    if (!row) throw new NotFoundError('Shipment', id);
    const history = await manager.query(
      `SELECT at, from_status AS "from", to_status AS "to", by, note FROM shipment_status_history WHERE shipment_id = $1 ORDER BY id`,
      [id],
    );
    return { ...row, lines: row.lines ?? [], events: row.events ?? [], history };
  }

  /** G1.4 pack confirmation: the goods are boxed and the documents printed; stock leaves at ship (outbound). */
  async pack(id: string, by: string): Promise<ShipmentDetail> {
    await this.db.transaction(async (manager) => {
      const shipment = await this.lockShipment(manager, id);
      this.assertTransition(shipment, 'packed', 'packed', ['allocated', 'picking']);
      await manager.query(`UPDATE shipment SET status = 'packed', packed_at = now(), packed_by = $2, updated_at = now() WHERE id = $1`, [id, by]);
      await this.recordHistory(manager, [id], shipment.status, 'packed', by, null);
    });
    return this.getShipment(id);
  }

  /**
   * Tracking (G1.5, src/tracking/) moves a handed-over shipment to in_transit, delivered or exception as carrier events say;
   * a move SHIPMENT_TRANSITIONS does not allow (or no move) changes nothing. Returns whether it moved.
   */
  async applyTrackingStatus(manager: EntityManager, id: string, to: 'in_transit' | 'delivered' | 'exception', by: string, note: string | null): Promise<boolean> {
    const shipment = await this.lockShipment(manager, id);
    if (!SHIPMENT_TRANSITIONS[shipment.status].includes(to)) return false;
    await manager.query(`UPDATE shipment SET status = $2, updated_at = now() WHERE id = $1`, [id, to]);
    await this.recordHistory(manager, [id], shipment.status, to, by, note);
    return true;
  }

  /** Row lock on the shipment: packing, shipping and cancelling take turns. */
  async lockShipment(manager: EntityManager, id: string): Promise<{ id: string; status: ShipmentStatus; orderNumber: string }> {
    if (!isUuid(id)) throw new NotFoundError('Shipment', id);
    const shipment = await queryOne<{ id: string; status: ShipmentStatus; orderNumber: string }>(
      manager,
      `SELECT s.id, s.status, o.number AS "orderNumber" FROM shipment s JOIN customer_order o ON o.id = s.order_id WHERE s.id = $1 FOR UPDATE OF s`,
      [id],
    );
    if (!shipment) throw new NotFoundError('Shipment', id);
    return shipment;
  }

  private assertTransition(shipment: { id: string; status: ShipmentStatus; orderNumber: string }, to: ShipmentStatus, action: string, from?: readonly ShipmentStatus[]): void {
    if (!SHIPMENT_TRANSITIONS[shipment.status].includes(to) || (from && !from.includes(shipment.status))) {
      const allowed = from ?? (Object.keys(SHIPMENT_TRANSITIONS) as ShipmentStatus[]).filter((status) => SHIPMENT_TRANSITIONS[status].includes(to));
      throw new InvalidStateError(
        `Shipment ${shipment.id} of order ${shipment.orderNumber} is ${shipment.status}; only ${allowed.join(' or ')} shipments can be ${action}`,
      );
    }
  }

  async recordHistory(manager: EntityManager, shipmentIds: string[], from: ShipmentStatus | null, to: ShipmentStatus, by: string, note: string | null): Promise<void> {
    if (shipmentIds.length === 0) return;
    await manager.query(
      `INSERT INTO shipment_status_history (shipment_id, from_status, to_status, by, note) SELECT id, $2, $3, $4, $5 FROM unnest($1::uuid[]) AS id`,
      [shipmentIds, from, to, by, note?.slice(0, 1000) ?? null],
    );
  }
}
