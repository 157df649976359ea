import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

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

/** Shipments of an order: created by allocation, shipped by the warehouse (G1.4, G1.5). */
@Injectable()
export class FulfillmentService {
  async createShipment(manager: EntityManager, orderId: string, warehouseId: string, lines: Array<{ sku: string; quantity: number }>): Promise<string> {
    const [shipment] = await manager.query(`INSERT INTO shipment (order_id, warehouse_id) VALUES ($1, $2) RETURNING id`, [orderId, warehouseId]);
    for (const line of lines) {
      await manager.query(`INSERT INTO shipment_line (shipment_id, sku, quantity) VALUES ($1, $2, $3)`, [shipment.id, line.sku, line.quantity]);
    }
    return shipment.id;
  }

  /** Confirms every open shipment of the order as handed to the carrier; returns how many. */
  async shipOpenShipments(manager: EntityManager, orderId: string, carrier: string, trackingNumber: string): Promise<number> {
    const shipped = await queryRows(
      manager,
      `UPDATE shipment SET status = 'shipped', carrier = $2, tracking_number = $3, shipped_at = now(), updated_at = now()
        WHERE order_id = $1 AND status IN ('allocated','picking','packed') RETURNING id`,
      [orderId, carrier, trackingNumber],
    );
    return shipped.length;
  }

  async cancelOpenShipments(manager: EntityManager, orderId: string): Promise<void> {
    await manager.query(`UPDATE shipment SET status = 'cancelled', updated_at = now() WHERE order_id = $1 AND status IN ('allocated','picking','packed')`, [orderId]);
  }

  async shipmentsOf(manager: EntityManager, orderIds: string[]): Promise<Map<string, ShipmentView[]>> {
    const byOrder = new Map<string, ShipmentView[]>();
    if (orderIds.length === 0) return byOrder;
    const rows: Array<Omit<ShipmentView, 'lines' | 'events'> & { lines: ShipmentView['lines'] | null }> = await manager.query(
      `SELECT s.id, s.order_id AS "orderId", w.code AS warehouse, s.status, s.carrier, s.tracking_number AS "trackingNumber",
              (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.sku) FROM shipment_line l WHERE l.shipment_id = s.id) AS lines
         FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id WHERE s.order_id = ANY($1) ORDER BY s.created_at`,
      [orderIds],
    );
    for (const row of rows) {
      byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), { ...row, lines: row.lines ?? [], events: [] }]);
    }
    return byOrder;
  }
}
