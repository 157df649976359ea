import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { describeRequests } from '../allocation/allocation-plan';
import type { Actor } from '../common/actor';
import { InvalidStateError, ValidationError } from '../common/errors';
import { FulfillmentService, type ShipmentView } from '../fulfillment/fulfillment.service';
import { OPEN_SHIPMENT_STATUSES } from '../fulfillment/shipment-status';
import { InventoryService, mergeBySku } from '../inventory/inventory.service';
import { WorkflowRuntimeService } from '../workflow/workflow-runtime.service';
import { ORDER_MESSAGES } from './order-messages';
import { OrderNotifications, shipmentData } from './order-notifications';
import { OrderRecords, reservationReference } from './order-records';
import { RECEIVABLE_STATUSES, SHIPPABLE_STATUSES } from './order-status';
import type { Order } from './order.entity';

/** Ships a replacement shipment of an after-sales case (registered by the after-sales module; orders know no cases). */
export type CaseShipmentShipper = (manager: EntityManager, shipment: { id: string; caseId: string }, carrier: string, trackingNumber: string, actor: Actor) => Promise<void>;

export interface ShipmentConfirmation {
  warehouse?: string;
  lines?: Array<{ sku: string; quantity: number }>;
}

/**
 * G1.4-G1.6 for orders: parcels handed to the carrier (whole, partial, or merged with other orders' parcels), the stock
 * leaving the warehouse, shipped / partially_shipped / delivered / completed, and what the diagram hears of it.
 */
@Injectable()
export class OrderShippingService {
  private caseShipmentShipper?: CaseShipmentShipper;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: OrderRecords,
    private readonly inventory: InventoryService,
    private readonly fulfillment: FulfillmentService,
    private readonly workflow: WorkflowRuntimeService,
    private readonly notifications: OrderNotifications,
  ) {}

  /**
   * POST /api/orders/{id}/shipments, G2.4 without a WMS: the operator confirms what left with carrier and tracking number.
   * Without `lines` every open shipment (of `warehouse`, if given) ships; with `lines`, exactly those units (a partial
   * shipment: the rest stays allocated). A shipment merged with other orders' ships as its whole parcel.
   */
  async ship(idOrNumber: string, carrier: string, trackingNumber: string, actor: Actor, confirm: ShipmentConfirmation = {}): Promise<string> {
    return this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      this.assertShippable(order);
      const open = await this.fulfillment.openShipmentsOf(manager, order.id);
      if (open.length === 0) throw new InvalidStateError(`Order ${order.number} has no allocated shipment to ship; allocate it first`);
      const scope = confirm.warehouse === undefined ? open : open.filter((shipment) => shipment.warehouse === confirm.warehouse);
      if (scope.length === 0) {
        const allocated = [...new Set(open.map((shipment) => shipment.warehouse))].join(', ');
        throw ValidationError.of('warehouse', `order ${order.number} is allocated to ${allocated}, not ${confirm.warehouse}`);
      }
      let shipmentIds = scope.map((shipment) => shipment.id);
      if (confirm.lines) shipmentIds = await this.takeConfirmedLines(manager, order, scope, confirm.lines, actor);
      await this.shipParcels(manager, shipmentIds, carrier, trackingNumber, actor);
      return order.id;
    });
  }

  /** After-sales registers how a case's replacement shipment ships: it moves the case, not the order. */
  onCaseShipmentShipped(shipper: CaseShipmentShipper): void {
    this.caseShipmentShipper = shipper;
  }

  /** POST /api/shipments/{id}/ship: one parcel (with every shipment merged into it) is handed to the carrier. */
  async shipShipment(shipmentId: string, carrier: string, trackingNumber: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (manager) => {
      const shipment = await this.fulfillment.lockShipment(manager, shipmentId);
      if (!OPEN_SHIPMENT_STATUSES.includes(shipment.status)) {
        throw new InvalidStateError(`Shipment ${shipment.id} of order ${shipment.orderNumber} is ${shipment.status}; only ${OPEN_SHIPMENT_STATUSES.join(', ')} shipments can be shipped`);
      }
      if (shipment.mergedInto) {
        throw new InvalidStateError(`Shipment ${shipment.id} of order ${shipment.orderNumber} is merged into shipment ${shipment.mergedInto}; ship that parcel`);
      }
      if (shipment.afterSalesCaseId) {
        if (!this.caseShipmentShipper) throw new Error(`shipment ${shipment.id} belongs to an after-sales case, and no after-sales module ships those`);
        return this.caseShipmentShipper(manager, { id: shipment.id, caseId: shipment.afterSalesCaseId }, carrier, trackingNumber, actor);
      }
      await this.shipParcels(manager, [shipment.id], carrier, trackingNumber, actor);
    });
  }

  /**
   * Ships the parcels the given shipments belong to: every order in them (locked in id order) gets its units counted as
   * shipped, its reservations consumed (outbound), and moves to shipped, or partially_shipped while units are still due.
   */
  private async shipParcels(manager: EntityManager, shipmentIds: string[], carrier: string, trackingNumber: string, actor: Actor): Promise<void> {
    const parcel = await this.fulfillment.parcelOf(manager, shipmentIds);
    const orderIds = [...new Set(parcel.map((shipment) => shipment.orderId))].sort();
    for (const orderId of orderIds) {
      const order = await this.records.lock(manager, orderId);
      this.assertShippable(order);
      const shipments = parcel.filter((shipment) => shipment.orderId === orderId);
      await this.fulfillment.shipShipments(manager, shipments.map((shipment) => shipment.id), carrier, trackingNumber, actor.name);
      for (const warehouse of new Set(shipments.map((shipment) => shipment.warehouse))) {
        const lines = mergeBySku(shipments.filter((shipment) => shipment.warehouse === warehouse).flatMap((shipment) => shipment.lines));
        await this.inventory.consumeReserved(manager, reservationReference(order.id), warehouse, lines, actor.name);
      }
      const lines = await this.records.lines(manager, order.id);
      await this.records.addToLines(manager, lines, 'shipped', shipments.flatMap((shipment) => shipment.lines));
      // every parcel is told of (a split order ships more than one)
      await this.notifications.send(manager, order, 'order-shipped', { shipment: shipmentData(carrier, trackingNumber) }, `${order.id}:${carrier}:${trackingNumber}`);
      const due = lines.filter((line) => line.shipped < line.quantity).map((line) => ({ sku: line.sku, quantity: line.quantity - line.shipped }));
      const merged = orderIds.length > 1 ? ` (one parcel with order${orderIds.length > 2 ? 's' : ''} merged with it)` : '';
      if (due.length === 0) {
        await this.records.transition(manager, order, 'shipped', actor.name, `${carrier} ${trackingNumber}${merged}`);
        await this.workflow.correlateMessage(manager, ORDER_MESSAGES.shipped, order.number, { carrier, trackingNumber });
      } else {
        const note = `${carrier} ${trackingNumber}${merged}: ${describeRequests(mergeBySku(shipments.flatMap((s) => s.lines)))} shipped; ${describeRequests(due)} still to ship`;
        if (order.status === 'partially_shipped') await this.records.recordHistory(manager, order.id, order.status, order.status, actor.name, note);
        else await this.records.transition(manager, order, 'partially_shipped', actor.name, note);
      }
    }
  }

  /**
   * The units an operator confirms must be allocated to the shipments in scope (422 otherwise, every sku at once); merged
   * parcels ship whole. Returns the shipments that now hold exactly those units.
   */
  private async takeConfirmedLines(manager: EntityManager, order: Order, scope: ShipmentView[], wanted: Array<{ sku: string; quantity: number }>, actor: Actor): Promise<string[]> {
    const allocated = new Map(mergeBySku(scope.flatMap((shipment) => shipment.lines)).map((line) => [line.sku, line.quantity] as const));
    const where = `order ${order.number} in ${[...new Set(scope.map((shipment) => shipment.warehouse))].join(', ')}`;
    const problems = mergeBySku(wanted)
      .filter((line) => line.quantity > (allocated.get(line.sku) ?? 0))
      .map((line) => ({ path: 'lines', message: `${line.sku} × ${line.quantity} is more than allocated to ${where} (${describeRequests([...allocated].map(([sku, quantity]) => ({ sku, quantity })))})` }));
    if (problems.length) throw new ValidationError(`The shipment confirmation has ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`, problems);
    const parcel = await this.fulfillment.parcelOf(manager, scope.map((shipment) => shipment.id));
    if (parcel.some((shipment) => shipment.orderId !== order.id || shipment.mergedInto)) {
      throw ValidationError.of('lines', `order ${order.number}'s shipment is merged with other orders into one parcel, which ships whole; leave out lines`);
    }
    return this.fulfillment.takeForShipping(manager, scope, mergeBySku(wanted), actor.name);
  }

  /**
   * Cancel of a partially shipped order (API.md: cancel before shipped): what left stays shipped, the rest is released and
   * its open shipments cancelled; the order is shipped with what it has, and the diagram hears OrderShipped.
   */
  async cancelRest(manager: EntityManager, order: Order, reason: string, actor: Actor): Promise<void> {
    await this.inventory.releaseReservations(manager, reservationReference(order.id), actor.name, `order ${order.number}: the rest cancelled`);
    await this.fulfillment.cancelOpenShipments(manager, order.id, actor.name, `the rest of order ${order.number} cancelled`);
    const lines = await this.records.lines(manager, order.id);
    const dropped = lines.filter((line) => line.shipped < line.quantity).map((line) => ({ sku: line.sku, quantity: line.quantity - line.shipped }));
    await manager.query(`UPDATE order_line SET reserved = shipped WHERE order_id = $1`, [order.id]);
    await this.records.transition(manager, order, 'shipped', actor.name, `the rest cancelled (${describeRequests(dropped)}): ${reason}`, 'cancel');
    await this.workflow.correlateMessage(manager, ORDER_MESSAGES.shipped, order.number, { restCancelled: true });
  }

  private assertShippable(order: Order): void {
    if (!SHIPPABLE_STATUSES.includes(order.status)) {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; only ${SHIPPABLE_STATUSES.join(' or ')} orders can be shipped`);
    }
  }

  /**
   * G1.5: a carrier reported a shipment delivered (tracking calls this in its transaction). When every shipment of a shipped
   * order is delivered, the order becomes delivered and the diagram hears OrderDelivered. Safe to call again: anything but a
   * shipped order with all shipments delivered changes nothing. Returns whether the order moved.
   */
  async recordDelivery(manager: EntityManager, orderId: string, by: string, note: string): Promise<boolean> {
    const order = await this.records.lock(manager, orderId);
    if (order.status !== 'shipped') return false;
    const shipments = ((await this.fulfillment.shipmentsOf(manager, [order.id])).get(order.id) ?? []).filter((s) => s.status !== 'cancelled');
    if (shipments.length === 0 || shipments.some((s) => s.status !== 'delivered')) return false;
    await this.records.transition(manager, order, 'delivered', by, shipments.length > 1 ? `${note}; all ${shipments.length} shipments delivered` : note);
    await this.notifications.send(manager, order, 'order-delivered');
    await this.workflow.correlateMessage(manager, ORDER_MESSAGES.delivered, order.number, { deliveredAt: new Date().toISOString() });
    return true;
  }

  /**
   * G1.6: the customer (or customer service for them) confirms receipt: shipped or delivered → completed. From shipped the
   * carrier's delivery is taken as given, so the diagram hears OrderDelivered first, then ReceiptConfirmed.
   */
  async confirmReceipt(idOrNumber: string, actor: Actor): Promise<string> {
    return this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (!RECEIVABLE_STATUSES.includes(order.status)) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only shipped or delivered orders can be confirmed as received`);
      }
      const wasShipped = order.status === 'shipped';
      await this.records.transition(manager, order, 'completed', actor.name, 'receipt confirmed');
      if (wasShipped) await this.workflow.correlateMessage(manager, ORDER_MESSAGES.delivered, order.number, { deliveredBy: 'receipt confirmation' });
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.receiptConfirmed, order.number, { confirmedBy: actor.name });
      return order.id;
    });
  }

  /**
   * The diagram's order.complete step (the "deemed received" timer, G1.6): delivered or shipped → completed with that note;
   * an order completed already (the customer confirmed meanwhile) is left as it is. Safe to run twice.
   */
  async completeDeemedReceived(manager: EntityManager, order: Order, note = 'deemed received'): Promise<{ completed: boolean }> {
    if (order.status === 'completed') return { completed: false };
    if (order.status !== 'delivered' && order.status !== 'shipped') {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; only shipped or delivered orders can be completed`);
    }
    await this.records.transition(manager, order, 'completed', 'system', note);
    return { completed: true };
  }
}
