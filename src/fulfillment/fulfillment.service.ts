import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import { WmsHandOffService } from '../integrations/wms/wms-hand-off.service';
import type { CarrierHooks, WaybillState } from './carrier-hooks';
import type { ShipmentStatus } from './shipment.entity';
import { OPEN_SHIPMENT_STATUSES, PACKABLE_SHIPMENT_STATUSES, SHIPMENT_TRANSITIONS } from './shipment-status';

export interface ShipmentView {
  id: string;
  orderId: string;
  warehouse: string;
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  lines: Array<{ sku: string; quantity: number }>;
  events: Array<{ at: string; status: string; location: string | null; description: string | null }>;
  /** Why allocation chose this warehouse (G1.3). */
  allocationReason: string | null;
  /** Order merge (issue 5 item 5): the shipment this one travels with as one parcel. */
  mergedInto: string | null;
  /** A replacement sent for an after-sales case (G1.6): outside its order's own flow. */
  afterSalesCaseId: string | null;
}

/** GET /api/shipments/{id}: the API.md shipment plus where it stands in the warehouse and its status history. */
export interface ShipmentDetail extends ShipmentView {
  orderNumber: string;
  pickListId: string | null;
  packedAt: string | null;
  packedBy: string | null;
  shippedAt: string | null;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  /** A merged parcel's lead lists every shipment in the box, its own included; empty otherwise. */
  parcel: Array<{ id: string; orderId: string; orderNumber: string; lines: Array<{ sku: string; quantity: number }> }>;
  /** The WMS connector that works this shipment (issue 15 item 5): its pick and pack are confirmed by the WMS, not by staff. */
  wms: string | null;
}

interface LockedShipment {
  id: string;
  status: ShipmentStatus;
  orderNumber: string;
  mergedInto: string | null;
  afterSalesCaseId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a uuid names no shipment (404), rather than a database cast error. */
export const isUuid = (value: string): boolean => UUID.test(value);

const SHIPMENT_VIEW_SQL = `
  SELECT s.id, s.order_id AS "orderId", w.code AS warehouse, s.status, s.carrier, s.tracking_number AS "trackingNumber",
         s.allocation_reason AS "allocationReason", s.merged_into AS "mergedInto", s.after_sales_case_id AS "afterSalesCaseId",
         (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.sku) FROM shipment_line l WHERE l.shipment_id = s.id) AS lines,
         (SELECT json_agg(json_build_object('at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'status', e.status,
                 'location', e.location, 'description', e.description) ORDER BY e.at, e.id) FROM shipment_event e WHERE e.shipment_id = s.id) AS events
    FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id`;

type ShipmentRow = Omit<ShipmentView, 'lines' | 'events'> & { lines: ShipmentView['lines'] | null; events: ShipmentView['events'] | null };
const toShipmentView = (row: ShipmentRow): ShipmentView => ({ ...row, lines: row.lines ?? [], events: row.events ?? [] });

/**
 * Told in the ship's transaction which shipments were handed to the carrier, under which number: the shop platforms'
 * fulfilment push (issue 15 item 2) and the carriers' tracking subscription (item 4) write their rows there, so a
 * rolled-back ship tells no platform or carrier anything.
 */
export type ShipmentsShippedListener = (manager: EntityManager, shipmentIds: string[], handover: { carrier: string; trackingNumber: string }) => Promise<void>;

/** What packing answers: the shipment, and its e-waybill when its carrier issues one (issue 15 item 4). */
export type PackedShipment = ShipmentDetail & { waybill?: WaybillState };

/** Shipments of an order: created by allocation, picked and packed in the warehouse, shipped (G1.4, G1.5). */
@Injectable()
export class FulfillmentService {
  private readonly logger = new Logger('Fulfillment');
  private readonly shipmentsShipped: ShipmentsShippedListener[] = [];
  private carrierHooks?: CarrierHooks;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly wms: WmsHandOffService,
  ) {}

  /** The connectors listen here (src/integrations/shop-fulfilment, kuaidi100): the warehouse knows no connectors. */
  onShipmentsShipped(listener: ShipmentsShippedListener): void {
    this.shipmentsShipped.push(listener);
  }

  /** The carriers' side (e-waybills at packing) registers here. */
  onCarrierEvents(hooks: CarrierHooks): void {
    this.carrierHooks = hooks;
  }

  /** Created at the clock's time, not the transaction's, so the shipments of one allocation list in the order they were planned. */
  async createShipment(
    manager: EntityManager,
    orderId: string,
    warehouseId: string,
    lines: Array<{ sku: string; quantity: number }>,
    allocationReason: string,
    afterSalesCaseId: string | null = null,
  ): Promise<string> {
    // one statement: the shipment, its lines and its first history entry
    const shipment = await queryOne<{ id: string }>(
      manager,
      `WITH shipment AS (
         INSERT INTO shipment (order_id, warehouse_id, allocation_reason, after_sales_case_id, created_at) VALUES ($1, $2, $3, $4, clock_timestamp()) RETURNING id
       ), lines AS (
         INSERT INTO shipment_line (shipment_id, sku, quantity) SELECT shipment.id, l.sku, l.quantity FROM shipment, unnest($5::text[], $6::int[]) AS l(sku, quantity)
       ), history AS (
         INSERT INTO shipment_status_history (shipment_id, from_status, to_status, by, note) SELECT shipment.id, NULL, 'allocated', 'system', NULL FROM shipment
       )
       SELECT id FROM shipment`,
      [orderId, warehouseId, allocationReason.slice(0, 2000), afterSalesCaseId, lines.map((line) => line.sku), lines.map((line) => line.quantity)],
    );
    // issue 15 item 5: a warehouse a WMS runs gets the shipping instruction in this transaction (every allocation path comes here)
    await this.wms.handOver(manager, [shipment!.id]);
    return shipment!.id;
  }

  private async insertLines(manager: EntityManager, shipmentId: string, lines: Array<{ sku: string; quantity: number }>): Promise<void> {
    await manager.query(`INSERT INTO shipment_line (shipment_id, sku, quantity) SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)`, [
      shipmentId, lines.map((line) => line.sku), lines.map((line) => line.quantity),
    ]);
  }

  /** Confirms open shipments as handed to the carrier under one tracking number; returns how many moved. */
  async shipShipments(manager: EntityManager, shipmentIds: string[], carrier: string, trackingNumber: string, by = 'system'): Promise<number> {
    const moved = await this.moveOpenShipments(manager, 'id = ANY($1::uuid[])', shipmentIds, 'shipped', `carrier = $3, tracking_number = $4, shipped_at = now()`, [carrier, trackingNumber], by, `${carrier} ${trackingNumber}`);
    if (moved > 0) for (const listener of this.shipmentsShipped) await listener(manager, shipmentIds, { carrier, trackingNumber });
    return moved;
  }

  /**
   * A partial shipment (G1.3 "ship what is there"): takes the wanted units out of the given open shipments, oldest first. A
   * shipment giving all it holds ships whole; one giving part keeps that part and the rest moves to a new allocated shipment
   * in the same warehouse. Returns the ids that now hold exactly the wanted units. The caller checked that they hold enough.
   */
  async takeForShipping(manager: EntityManager, shipments: ShipmentView[], wanted: Array<{ sku: string; quantity: number }>, by: string): Promise<string[]> {
    const left = new Map(wanted.map((line) => [line.sku, line.quantity] as const));
    const taking: string[] = [];
    for (const shipment of shipments) {
      const take = shipment.lines.map((line) => ({ sku: line.sku, quantity: Math.min(line.quantity, left.get(line.sku) ?? 0) }));
      if (take.every((line) => line.quantity === 0)) continue;
      for (const line of take) left.set(line.sku, (left.get(line.sku) ?? 0) - line.quantity);
      taking.push(shipment.id);
      const rest = shipment.lines.map((line, index) => ({ sku: line.sku, quantity: line.quantity - take[index].quantity })).filter((line) => line.quantity > 0);
      if (rest.length === 0) continue;
      await manager.query(`DELETE FROM shipment_line WHERE shipment_id = $1`, [shipment.id]);
      await this.insertLines(manager, shipment.id, take.filter((line) => line.quantity > 0));
      const [{ warehouse_id: warehouseId }] = await manager.query(`SELECT warehouse_id FROM shipment WHERE id = $1`, [shipment.id]);
      const restId = await this.createShipment(manager, shipment.orderId, warehouseId, rest, `the rest of shipment ${shipment.id.slice(0, 8)} after a partial shipment by ${by}`);
      await this.recordHistory(manager, [shipment.id], shipment.status as ShipmentStatus, shipment.status as ShipmentStatus, by, `partial: ${rest.map((l) => `${l.sku} × ${l.quantity}`).join(', ')} moved to shipment ${restId.slice(0, 8)}`);
    }
    return taking;
  }

  /** Cancels every open shipment of an order; a parcel that others were merged into passes the lead to the oldest of them. */
  async cancelOpenShipments(manager: EntityManager, orderId: string, by = 'system', note = 'order cancelled'): Promise<void> {
    const cancelled = await this.moveOpenShipments(manager, 'order_id = $1', orderId, 'cancelled', '', [], by, note);
    if (cancelled === 0) return;
    await manager.query(
      `WITH gone AS (SELECT id FROM shipment WHERE order_id = $1 AND status = 'cancelled'),
            heir AS (SELECT DISTINCT ON (s.merged_into) s.merged_into AS old, s.id AS new FROM shipment s JOIN gone ON gone.id = s.merged_into
                      WHERE s.status <> 'cancelled' ORDER BY s.merged_into, s.created_at, s.id)
       UPDATE shipment s SET merged_into = CASE WHEN s.id = heir.new THEN NULL ELSE heir.new END FROM heir WHERE s.merged_into = heir.old AND s.status <> 'cancelled'`,
      [orderId],
    );
    await manager.query(`UPDATE shipment SET merged_into = NULL WHERE order_id = $1 AND status = 'cancelled' AND merged_into IS NOT NULL`, [orderId]);
  }

  /** Open shipments move together (ship, cancel); each move lands in the shipment's history. `where` names them by $1. */
  private async moveOpenShipments(manager: EntityManager, where: string, key: unknown, to: ShipmentStatus, set: string, params: unknown[], by: string, note: string): Promise<number> {
    const moved = await queryRows<{ id: string; from: ShipmentStatus }>(
      manager,
      `WITH open AS (SELECT id, status FROM shipment WHERE ${where} AND status = ANY($2) ORDER BY id FOR UPDATE)
       UPDATE shipment s SET status = '${to}', ${set ? `${set}, ` : ''}updated_at = now() FROM open WHERE s.id = open.id RETURNING s.id, open.status AS "from"`,
      [key, OPEN_SHIPMENT_STATUSES, ...params],
    );
    for (const from of new Set(moved.map((row) => row.from))) {
      await this.recordHistory(manager, moved.filter((row) => row.from === from).map((row) => row.id), from, to, by, note);
    }
    if (to === 'cancelled') await this.wms.cancelled(manager, moved.map((row) => row.id), note);
    return moved.length;
  }

  async shipmentsOf(manager: EntityManager, orderIds: string[]): Promise<Map<string, ShipmentView[]>> {
    const byOrder = new Map<string, ShipmentView[]>();
    if (orderIds.length === 0) return byOrder;
    // an order's own shipments: replacements sent for its after-sales cases are not part of its fulfilment
    const rows: ShipmentRow[] = await manager.query(`${SHIPMENT_VIEW_SQL} WHERE s.order_id = ANY($1) AND s.after_sales_case_id IS NULL ORDER BY s.created_at, s.id`, [
      orderIds,
    ]);
    for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), toShipmentView(row)]);
    return byOrder;
  }

  /** Replacement shipments of after-sales cases, oldest first. */
  async replacementShipmentsOf(manager: EntityManager, caseId: string): Promise<ShipmentView[]> {
    const rows: ShipmentRow[] = await manager.query(`${SHIPMENT_VIEW_SQL} WHERE s.after_sales_case_id = $1 ORDER BY s.created_at, s.id`, [caseId]);
    return rows.map(toShipmentView);
  }

  /** Shipments not yet handed to the carrier, oldest first. */
  async openShipmentsOf(manager: EntityManager, orderId: string): Promise<ShipmentView[]> {
    return ((await this.shipmentsOf(manager, [orderId])).get(orderId) ?? []).filter((shipment) => OPEN_SHIPMENT_STATUSES.includes(shipment.status as ShipmentStatus));
  }

  /**
   * The open shipments travelling as one parcel with any of the given ones (order merge): their lead shipment and every
   * shipment merged into it. Unmerged shipments are parcels of their own.
   */
  async parcelOf(manager: EntityManager, shipmentIds: string[]): Promise<ShipmentView[]> {
    const rows: ShipmentRow[] = await manager.query(
      `${SHIPMENT_VIEW_SQL}
        WHERE s.status = ANY($2) AND (s.id = ANY($1::uuid[]) OR coalesce(s.merged_into, s.id) IN (SELECT coalesce(merged_into, id) FROM shipment WHERE id = ANY($1::uuid[])))
        ORDER BY s.created_at, s.id`,
      [shipmentIds, OPEN_SHIPMENT_STATUSES],
    );
    return rows.map(toShipmentView);
  }

  async getShipment(id: string, manager: EntityManager = this.db.manager): Promise<ShipmentDetail> {
    if (!isUuid(id)) throw new NotFoundError('Shipment', id);
    const row = await queryOne<Omit<ShipmentDetail, 'lines' | 'events' | 'history' | 'parcel'> & { lines: ShipmentView['lines'] | null; events: ShipmentView['events'] | null }>(
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
    const parcel = await manager.query(
      `SELECT s.id, s.order_id AS "orderId", o.number AS "orderNumber",
              coalesce((SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.sku) FROM shipment_line l WHERE l.shipment_id = s.id), '[]') AS lines
         FROM shipment s JOIN customer_order o ON o.id = s.order_id
        WHERE (s.id = $1 OR s.merged_into = $1) AND s.status <> 'cancelled' AND EXISTS (SELECT 1 FROM shipment m WHERE m.merged_into = $1)
        ORDER BY s.created_at, s.id`,
      [id],
    );
    const wms = (await this.wms.workingWms(manager, id))?.name ?? null;
    return { ...row, lines: row.lines ?? [], events: row.events ?? [], history, parcel, wms };
  }

  /**
   * G1.4 pack confirmation: the goods are boxed and the documents printed; stock leaves at ship (outbound). A shipment a WMS
   * works is packed there: only its confirmation (`byWms`, /api/wms) packs it here (issue 15 item 5). With an e-waybill
   * carrier the answer carries the waybill's state (issue 15 item 4).
   */
  async pack(id: string, by: string, { byWms = false } = {}): Promise<PackedShipment> {
    await this.db.transaction(async (manager) => {
      const shipment = await this.lockShipment(manager, id);
      if (!byWms) await this.wms.assertStaffMayWork(manager, shipment, 'packed');
      this.assertTransition(shipment, 'packed', 'packed', PACKABLE_SHIPMENT_STATUSES);
      if (shipment.mergedInto) throw new InvalidStateError(`Shipment ${id} of order ${shipment.orderNumber} is merged into shipment ${shipment.mergedInto}; pack that parcel`);
      // a parcel's merged shipments are in the same box
      const packed = await queryRows<{ id: string; from: ShipmentStatus }>(
        manager,
        `WITH parcel AS (SELECT id, status FROM shipment WHERE (id = $1 OR merged_into = $1) AND status IN ('allocated', 'picking') FOR UPDATE)
         UPDATE shipment s SET status = 'packed', packed_at = now(), packed_by = $2, updated_at = now() FROM parcel WHERE s.id = parcel.id
         RETURNING s.id, parcel.status AS "from"`,
        [id, by],
      );
      for (const from of new Set(packed.map((row) => row.from))) {
        await this.recordHistory(manager, packed.filter((row) => row.from === from).map((row) => row.id), from, 'packed', by, null);
      }
      await this.carrierHooks?.packed(manager, id);
    });
    // the carrier's label service is called after the packing committed: whatever it answers, the packing stands
    const waybill = (await this.carrierHooks?.afterPacked(id).catch((error: unknown) => {
      // the worker asks again later (the row is written); the packer still gets the packing
      this.logger.warn(`e-waybill of shipment ${id} not requested after packing: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    })) ?? undefined;
    return { ...(await this.getShipment(id)), ...(waybill ? { waybill } : {}) };
  }

  /** The admin's 重新获取电子面单 (issue 15 item 4): the e-waybill of a packed parcel asked for again; 409 when none applies. */
  async fetchWaybill(id: string): Promise<PackedShipment> {
    if (!this.carrierHooks) throw new InvalidStateError('No carrier label service is set up');
    const { waybill } = await this.carrierHooks.retryWaybill(id);
    return { ...(await this.getShipment(id)), waybill };
  }

  /**
   * Order merge (issue 5 item 5): the shipments (and any already merged into them) become one parcel led by the oldest, which
   * is picked, packed and shipped for all. The caller checked they are allocated, not yet picked, in one warehouse.
   */
  async mergeShipments(manager: EntityManager, shipmentIds: string[], by: string, note: string): Promise<string> {
    const members = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM shipment WHERE (id = ANY($1::uuid[]) OR merged_into = ANY($1::uuid[])) AND status <> 'cancelled' ORDER BY created_at, id FOR UPDATE`,
      [shipmentIds],
    );
    const lead = members[0].id;
    const joining = members.slice(1).map((member) => member.id);
    await manager.query(`UPDATE shipment SET merged_into = CASE WHEN id = $1 THEN NULL ELSE $1::uuid END, updated_at = now() WHERE id = ANY($2::uuid[])`, [lead, [lead, ...joining]]);
    await this.recordHistory(manager, joining, 'allocated', 'allocated', by, `merged into shipment ${lead}: ${note}`);
    await this.recordHistory(manager, [lead], 'allocated', 'allocated', by, `leads a merged parcel: ${note}`);
    return lead;
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
  async lockShipment(manager: EntityManager, id: string): Promise<LockedShipment> {
    if (!isUuid(id)) throw new NotFoundError('Shipment', id);
    const shipment = await queryOne<LockedShipment>(
      manager,
      `SELECT s.id, s.status, o.number AS "orderNumber", s.merged_into AS "mergedInto", s.after_sales_case_id AS "afterSalesCaseId" FROM shipment s JOIN customer_order o ON o.id = s.order_id WHERE s.id = $1 FOR UPDATE OF s`,
      [id],
    );
    if (!shipment) throw new NotFoundError('Shipment', id);
    return shipment;
  }

  private assertTransition(shipment: LockedShipment, to: ShipmentStatus, action: string, from?: readonly ShipmentStatus[]): void {
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
