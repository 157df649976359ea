import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import { type ErrorDetail, InvalidStateError, ValidationError } from '../common/errors';
import { queryRows } from '../database/sql';
import { FulfillmentService, type ShipmentDetail, type ShipmentView } from '../fulfillment/fulfillment.service';
import { OrderRecords } from './order-records';
import { MERGEABLE_STATUSES, type OrderStatus } from './order-status';
import type { Order } from './order.entity';

/** The same customer at the same address, written with different spacing or case, is still the same parcel's destination. */
export function parcelDestinationKey(order: Pick<Order, 'customerPhone' | 'shippingAddress'>): string {
  const squeeze = (value: string | undefined) => (value ?? '').toLowerCase().replace(/[\s,，]+/g, '');
  const { province, city, district, line1 } = order.shippingAddress;
  return [order.customerPhone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, ''), squeeze(province), squeeze(city), squeeze(district), squeeze(line1)].join('|');
}

/**
 * Order merge (issue 5 item 5): orders of the same customer and address whose shipments are allocated but not yet picked
 * leave as one parcel per warehouse — on request (POST /api/orders/merge) or by the settings' rule when stock is allocated.
 */
@Injectable()
export class OrderMergeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: OrderRecords,
    private readonly fulfillment: FulfillmentService,
  ) {}

  /** Merges the orders' shipments warehouse by warehouse; returns the parcels (lead shipments). 409/422 change nothing. */
  async mergeOrders(idsOrNumbers: string[], actor: Actor): Promise<ShipmentDetail[]> {
    const leads = await this.db.transaction(async (manager) => {
      const found = await Promise.all(idsOrNumbers.map((idOrNumber) => this.records.find(manager, idOrNumber)));
      if (new Set(found.map((order) => order.id)).size < 2) throw ValidationError.of('orders', 'name at least two different orders to merge');
      // locked in id order, so two merges of overlapping orders cannot deadlock
      const orders: Order[] = [];
      for (const { id } of [...found].sort((a, b) => a.id.localeCompare(b.id))) if (!orders.some((o) => o.id === id)) orders.push(await this.records.lock(manager, id));
      for (const order of orders) {
        if (!MERGEABLE_STATUSES.includes(order.status)) {
          throw new InvalidStateError(`Order ${order.number} is ${order.status}; only ${MERGEABLE_STATUSES.join(' or ')} orders can be merged`);
        }
      }
      // the first order named is the one the others must match
      const reference = orders.find((order) => order.id === found[0].id)!;
      const problems: ErrorDetail[] = found
        .map((order, index) => ({ order, index }))
        .filter(({ order }) => parcelDestinationKey(orders.find((o) => o.id === order.id)!) !== parcelDestinationKey(reference))
        .map(({ order, index }) => ({ path: `orders[${index}]`, message: `order ${order.number} goes to another customer or address than order ${reference.number}` }));
      if (problems.length) throw new ValidationError(`Orders can be merged only for the same customer and address: ${problems.map((p) => p.message).join('; ')}`, problems);

      const open: ShipmentView[] = [];
      for (const order of orders) open.push(...(await this.fulfillment.openShipmentsOf(manager, order.id)));
      const started = open.find((shipment) => shipment.status !== 'allocated');
      if (started) throw new InvalidStateError(`Shipment ${started.id} of order ${orderNumberOf(orders, started)} is ${started.status} already; orders merge only before picking`);
      const byWarehouse = new Map<string, ShipmentView[]>();
      for (const shipment of open) byWarehouse.set(shipment.warehouse, [...(byWarehouse.get(shipment.warehouse) ?? []), shipment]);
      const groups = [...byWarehouse].filter(([, shipments]) => new Set(shipments.map((s) => s.orderId)).size > 1);
      if (groups.length === 0) {
        const where = orders.map((order) => `${order.number} in ${[...byWarehouse].filter(([, s]) => s.some((x) => x.orderId === order.id)).map(([w]) => w).join(', ') || 'no warehouse'}`);
        throw new InvalidStateError(`No warehouse ships for more than one of these orders (${where.join('; ')}); nothing to merge`);
      }
      const leadIds: string[] = [];
      for (const [warehouse, shipments] of groups) {
        const merged = [...new Set(shipments.map((s) => orderNumberOf(orders, s)))];
        const note = `orders ${merged.join(', ')} leave ${warehouse} as one parcel (merged by ${actor.name})`;
        leadIds.push(await this.fulfillment.mergeShipments(manager, shipments.map((s) => s.id), actor.name, note));
        for (const order of orders.filter((o) => merged.includes(o.number))) {
          await this.records.recordHistory(manager, order.id, order.status, order.status, actor.name, `merged with ${merged.filter((n) => n !== order.number).join(', ')}: one parcel from ${warehouse}`);
        }
      }
      return leadIds;
    });
    return Promise.all(leads.map((id) => this.fulfillment.getShipment(id)));
  }

  /** Orders that could be merged with this one now: same customer and address, with a shipment allocated and not picked. */
  async candidatesFor(idOrNumber: string): Promise<Array<{ id: string; number: string; status: OrderStatus; warehouses: string[] }>> {
    const order = await this.records.find(this.db.manager, idOrNumber);
    const fellows = await this.ordersAtSameDestination(this.db.manager, order);
    const waiting = await queryRows<{ orderId: string; warehouses: string[] }>(
      this.db,
      `SELECT s.order_id AS "orderId", array_agg(DISTINCT w.code ORDER BY w.code) AS warehouses
         FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id WHERE s.order_id = ANY($1::uuid[]) AND s.status = 'allocated' AND s.after_sales_case_id IS NULL GROUP BY s.order_id`,
      [fellows.map((fellow) => fellow.id)],
    );
    return fellows.flatMap((fellow) => {
      const warehouses = waiting.find((row) => row.orderId === fellow.id)?.warehouses;
      return warehouses ? [{ id: fellow.id, number: fellow.number, status: fellow.status, warehouses }] : [];
    });
  }

  /**
   * The settings' merge rule, as allocation creates a shipment: it joins the oldest unpicked parcel in the same warehouse of
   * another order of the same customer and address. A parcel being picked or cancelled right now is passed over.
   */
  async mergeByRule(manager: EntityManager, order: Order, shipmentId: string): Promise<void> {
    const fellows = await this.ordersAtSameDestination(manager, order);
    if (fellows.length === 0) return;
    const [lead] = await queryRows<{ id: string; orderId: string }>(
      manager,
      `SELECT id, order_id AS "orderId" FROM shipment
        WHERE order_id = ANY($1::uuid[]) AND warehouse_id = (SELECT warehouse_id FROM shipment WHERE id = $2) AND status = 'allocated' AND merged_into IS NULL AND after_sales_case_id IS NULL
        ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [fellows.map((fellow) => fellow.id), shipmentId],
    );
    if (!lead) return;
    const fellow = fellows.find((candidate) => candidate.id === lead.orderId)!;
    await this.fulfillment.mergeShipments(manager, [lead.id, shipmentId], 'system', `orders ${fellow.number}, ${order.number}: same customer and address (the merge rule in settings)`);
    await this.records.recordHistory(manager, order.id, order.status, order.status, 'system', `merged with ${fellow.number} by the merge rule: one parcel`);
    await this.records.recordHistory(manager, fellow.id, fellow.status, fellow.status, 'system', `order ${order.number} merged into this order's parcel by the merge rule`);
  }

  /** Other orders in a mergeable status going to the same customer and address (the phone narrows it down in SQL). */
  private async ordersAtSameDestination(manager: EntityManager, order: Order): Promise<Array<{ id: string; number: string; status: OrderStatus }>> {
    const rows = await queryRows<{ id: string; number: string; status: OrderStatus; customerPhone: string; shippingAddress: Order['shippingAddress'] }>(
      manager,
      `SELECT id, number, status, customer_phone AS "customerPhone", shipping_address AS "shippingAddress" FROM customer_order
        WHERE id <> $1 AND status = ANY($2) AND regexp_replace(customer_phone, '\\D', '', 'g') LIKE '%' || $3
        ORDER BY placed_at, number LIMIT 100`,
      [order.id, MERGEABLE_STATUSES, order.customerPhone.replace(/\D/g, '').slice(-11)],
    );
    const destination = parcelDestinationKey(order);
    return rows.filter((row) => parcelDestinationKey(row) === destination).map(({ id, number, status }) => ({ id, number, status }));
  }
}

const orderNumberOf = (orders: Order[], shipment: ShipmentView) => orders.find((order) => order.id === shipment.orderId)?.number ?? shipment.orderId;
