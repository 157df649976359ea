import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { CatalogService } from '../catalog/catalog.service';
import type { Actor } from '../common/actor';
import { InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { fromCents, MAX_MONEY_CENTS, multiplyMoney, normaliseMoney, sumMoney, toCents } from '../common/money';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { queryOne } from '../database/sql';
import { InventoryService, mergeBySku, type StockRead } from '../inventory/inventory.service';
import { MetricsService } from '../metrics/metrics.service';
import { SettingsService } from '../settings/settings.service';
import { WorkflowRuntimeService } from '../workflow/workflow-runtime.service';
import type { AmendOrderDto, ManualAllocationDto } from './dto/amend-order.dto';
import type { CreateOrderDto, PaymentConfirmationDto } from './dto/create-order.dto';
import { OrderAllocationService } from './order-allocation.service';
import { OrderLine } from './order-line.entity';
import { ORDER_MESSAGES, ORDER_WORKFLOW } from './order-messages';
import { OrderNotifications } from './order-notifications';
import { OrderRecords, reservationReference } from './order-records';
import { type ShipmentConfirmation, OrderShippingService } from './order-shipping.service';
import { AMENDABLE_STATUSES, APPROVABLE_STATUSES, type OrderStatus } from './order-status';
import { OrderStatusHistory } from './order-status-history.entity';
import { toOrderView, type OrderView } from './order-view';
import { Order, type OrderFlag } from './order.entity';
import { outOfStockFlag, stockShortages } from './stock-shortage';
import { reviewOrder } from './review-rules';
import { STATUS_TOTAL_SQL } from '../reports/report-rollups';

/** `manual`: clean but held for a person by the settings (auto-review off, or over the amount threshold). */
/** Who approved an order that passed every rule of the automatic review (G3.1). */
export const AUTO_REVIEW = 'auto-review';

export type ReviewOutcome = 'approved' | 'manual' | 'exception' | 'pending_payment' | 'closed';

export interface OrderListFilter {
  status?: string;
  number?: string;
  phone?: string;
  sku?: string;
  channel?: string;
  from?: string;
  to?: string;
  /** G2.5 one search box: part of the order number, the customer's name or phone, or a line's SKU (case-insensitive). */
  q?: string;
}

/** `q` as a LIKE pattern matching it anywhere, its own % _ \\ taken literally. */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The order aggregate: intake, review, allocation, the person's actions; every status change goes through transition(). */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly fulfillment: FulfillmentService,
    private readonly workflow: WorkflowRuntimeService,
    private readonly settings: SettingsService,
    private readonly records: OrderRecords,
    private readonly orderAllocation: OrderAllocationService,
    private readonly shipping: OrderShippingService,
    private readonly notifications: OrderNotifications,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * G1.1: idempotent on (channel, externalId). ONE statement (one round trip, one transaction, issue 12 item 4): the order
   * with its number, lines (named from the catalogue), first history entry, its process instance (id made here) and the
   * instance's start job; the answer is built from the rows it wrote. A duplicate writes nothing and answers the existing order.
   */
  async intake(input: CreateOrderDto, actor: Actor): Promise<{ order: OrderView; created: boolean }> {
    const shippingFee = input.shippingFee ?? '0.00';
    // each price fits, but quantity × price summed may not: a 422 for the request, never a numeric overflow (500)
    const grandCents = input.lines.reduce((total, line) => total + toCents(line.unitPrice) * BigInt(line.quantity), toCents(shippingFee));
    if (grandCents > MAX_MONEY_CENTS) {
      const message = `the order total ${fromCents(grandCents)} is over the maximum of ${fromCents(MAX_MONEY_CENTS)}`;
      throw ValidationError.of('lines', message);
    }
    const itemsTotal = sumMoney(input.lines.map((line) => multiplyMoney(line.unitPrice, line.quantity)));
    const status: OrderStatus = input.payment.status === 'paid' ? 'pending_review' : 'pending_payment';
    const written = await this.records.insertOrder(this.db, {
      values: {
        channel: input.channel, external_id: input.externalId, status, customer_name: input.customer.name, customer_phone: input.customer.phone,
        customer_email: input.customer.email ?? null, customer_locale: input.customer.locale ?? null, shipping_address: input.shippingAddress,
        payment_method: input.payment.method, payment_status: input.payment.status,
        payment_amount: input.payment.amount ?? (input.payment.status === 'paid' ? sumMoney([itemsTotal, shippingFee]) : null),
        paid_at: input.payment.status === 'paid' ? (input.payment.paidAt ?? new Date().toISOString()) : null,
        items_total: itemsTotal, shipping_fee: shippingFee, grand_total: sumMoney([itemsTotal, shippingFee]), notes: input.notes ?? null,
        placed_at: input.placedAt ?? new Date().toISOString(),
      },
      lines: input.lines.map((line, index) => ({ line_no: index + 1, sku: line.sku, quantity: line.quantity, unit_price: line.unitPrice })),
      productName: this.catalog.productNameSql,
      history: { by: actor.name, note: `received from ${input.channel}` },
      startProcess: ({ source, instanceId }) =>
        this.workflow.startInstanceSql({ key: ORDER_WORKFLOW, instanceId, source, businessKey: `${source}.number`, variables: `jsonb_build_object('orderId', ${source}.id, 'orderNumber', ${source}.number)` }),
    });
    if (written) {
      this.workflow.wakeWorkers();
      this.metrics.orderAccepted(input.channel);
      return { order: toOrderView(written.order, written.lines, written.history, []), created: true };
    }
    const existing = await this.db.getRepository(Order).findOneBy({ channel: input.channel, externalId: input.externalId });
    if (!existing) throw new NotFoundError('Workflow', ORDER_WORKFLOW); // not a duplicate: no diagram to start
    return { order: await this.get(existing.id), created: false };
  }

  /** The order, row-locked in the caller's transaction: after-sales checks quantities and refunds against it, one case at a time. */
  async lockForAfterSales(manager: EntityManager, idOrNumber: string): Promise<OrderView> {
    const order = await this.records.lock(manager, idOrNumber);
    return this.get(order.id, manager);
  }

  /**
   * The order as API.md shows it. Outside a transaction it is read in one snapshot (a change committing between the reads
   * would show, say, the new lines with the old flags); inside one, through the caller's.
   */
  async get(idOrNumber: string, manager?: EntityManager): Promise<OrderView> {
    if (!manager) return this.db.transaction('REPEATABLE READ', (snapshot) => this.get(idOrNumber, snapshot));
    const order = await this.records.find(manager, idOrNumber);
    // one after another: on a transaction's single connection parallel queries only queue (and pg warns)
    const lines = await manager.getRepository(OrderLine).findBy({ orderId: order.id });
    const history = await manager.getRepository(OrderStatusHistory).findBy({ orderId: order.id });
    const shipments = await this.fulfillment.shipmentsOf(manager, [order.id]);
    return toOrderView(order, lines, history, shipments.get(order.id) ?? []);
  }

  async list(filter: OrderListFilter, offset: number, limit: number): Promise<{ items: OrderView[]; total: number }> {
    const query = this.db.getRepository(Order).createQueryBuilder('o');
    if (filter.status) query.andWhere('o.status IN (:...statuses)', { statuses: filter.status.split(',') });
    if (filter.number) query.andWhere('o.number = :number', { number: filter.number });
    if (filter.phone) query.andWhere('o.customer_phone = :phone', { phone: filter.phone });
    if (filter.channel) query.andWhere('o.channel = :channel', { channel: filter.channel });
    if (filter.from) query.andWhere('o.placed_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('o.placed_at <= :to', { to: filter.to });
    if (filter.sku) query.andWhere('EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id AND l.sku = :sku)', { sku: filter.sku });
    if (filter.q) {
      query.andWhere(
        `(o.number ILIKE :q OR o.customer_name ILIKE :q OR o.customer_phone LIKE :q OR EXISTS (SELECT 1 FROM order_line ql WHERE ql.order_id = o.id AND ql.sku ILIKE :q))`,
        { q: containsPattern(filter.q) },
      );
    }
    query.orderBy('o.placed_at', 'DESC').addOrderBy('o.number', 'DESC').skip(offset).take(limit);
    // the whole list, or one filtered by status only: its total is the report rollup's (exact, kept by triggers in the
    // transaction of every change), not a count of up to a million orders (issue 13: ~300 ms at 1M)
    const byStatusOnly = !filter.q && !filter.number && !filter.phone && !filter.channel && !filter.from && !filter.to && !filter.sku;
    const [orders, total] = byStatusOnly ? await Promise.all([query.getMany(), this.totalByStatus(filter.status)]) : await query.getManyAndCount();
    const ids = orders.map((order) => order.id);
    const [lines, history, shipments] = await Promise.all([
      ids.length ? this.db.getRepository(OrderLine).findBy({ orderId: In(ids) }) : [],
      ids.length ? this.db.getRepository(OrderStatusHistory).findBy({ orderId: In(ids) }) : [],
      this.fulfillment.shipmentsOf(this.db.manager, ids),
    ]);
    const items = orders.map((order) =>
      toOrderView(order, lines.filter((l) => l.orderId === order.id), history.filter((h) => h.orderId === order.id), shipments.get(order.id) ?? []),
    );
    return { items, total };
  }

  /** How many orders have one of `statuses` (comma-separated; all orders without), from the report rollup. */
  private async totalByStatus(statuses: string | undefined): Promise<number> {
    const [{ total }] = await this.db.query(STATUS_TOTAL_SQL, [statuses ? statuses.split(',') : null]);
    return total;
  }

  // ---- steps the diagram runs (task types): in the step's transaction, on the order the step locked; safe to run again ----

  /** G1.2: flags every rule the order breaks; a clean paid order is approved automatically (G3.1 default). */
  async review(manager: EntityManager, order: Order, lines: OrderLine[]): Promise<ReviewOutcome> {
    if (!['pending_review', 'pending_payment'].includes(order.status)) return outcomeOf(order.status);
    return this.reviewLocked(manager, order, { lines });
  }

  /**
   * The review rules for an order in pending_review or pending_payment whose row lock the caller holds (review() and
   * amend() share it): stores the flags and moves the order as the outcome says. `honourApproval: false` ignores a
   * person's earlier approval (an amended order needs a fresh decision).
   */
  private async reviewLocked(manager: EntityManager, order: Order, options: { honourApproval?: boolean; lines?: OrderLine[] } = {}): Promise<ReviewOutcome> {
    const { honourApproval = true } = options;
    const orderId = order.id;
    const lines = options.lines ?? (await this.records.lines(manager, orderId));
    const products = await this.catalog.findBySkus(lines.map((line) => line.sku), manager);
    const available = new Map<string, number>();
    const stock = await this.inventory.stockOf(manager, [...new Set(lines.map((line) => line.sku))], { keepForPlan: true });
    for (const warehouse of stock.warehouses) {
      for (const [sku, units] of Object.entries(warehouse.available)) available.set(sku, (available.get(sku) ?? 0) + units);
    }
    const settings = await this.settings.get(manager);
    const { flags, blocked } = reviewOrder({ ...order, lines, products, available, deliveryArea: new Set(settings.deliveryArea.provinces) });
    order.flags = flags.map((flag) => (flag.code === 'out_of_stock' ? detailedShortage(flag, lines, products, available, stock) : flag));
    if (order.paymentStatus !== 'paid') {
      await this.saveFlags(manager, order);
      if (order.status !== 'pending_payment') await this.records.transition(manager, order, 'pending_payment', 'system', 'waiting for payment');
      return 'pending_payment';
    }
    if (honourApproval && order.approvedAt) {
      await this.saveFlags(manager, order);
      return 'approved'; // a person approved it: flags are known and accepted
    }
    if (blocked) {
      await this.saveFlags(manager, order);
      await this.records.transition(manager, order, 'exception', 'system', flags.filter((f) => f.code !== 'out_of_stock').map((f) => f.code).join(', '));
      return 'exception';
    }
    // G3.1: auto-review conditions from the settings; a held order waits in pending_review for approve/reject
    const { enabled, manualReviewAbove } = settings.autoReview;
    const overThreshold = manualReviewAbove !== null && toCents(order.grandTotal) > toCents(manualReviewAbove);
    if (!enabled || overThreshold) {
      await this.saveFlags(manager, order);
      const reason = enabled ? `total ${order.grandTotal} is over the manual review threshold of ${manualReviewAbove}` : 'auto-review is off';
      await this.records.recordHistory(manager, order.id, order.status, order.status, 'system', `held for review: ${reason}`);
      return 'manual';
    }
    // recorded like a person's approval: stock is reserved only for approved orders, whatever a diagram does (issue 11)
    const approved = await queryOne<{ approved_at: Date }>(
      manager,
      `UPDATE customer_order SET flags = $2, approved_by = $3, approved_at = now() WHERE id = $1 RETURNING approved_at`,
      [orderId, JSON.stringify(flags), AUTO_REVIEW],
    );
    Object.assign(order, { approvedBy: AUTO_REVIEW, approvedAt: approved!.approved_at });
    return 'approved';
  }

  private async saveFlags(manager: EntityManager, order: Order): Promise<void> {
    await manager.query(`UPDATE customer_order SET flags = $2 WHERE id = $1`, [order.id, JSON.stringify(order.flags)]);
  }

  // ---- a person's actions (API and admin share these) ----

  async approve(idOrNumber: string, actor: Actor, note?: string): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (!APPROVABLE_STATUSES.includes(order.status) || order.approvedAt) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}${order.approvedAt ? ' and already approved' : ''}; only pending_review or exception orders can be approved`);
      }
      await manager.query(`UPDATE customer_order SET approved_by = $2, approved_at = now() WHERE id = $1`, [order.id, actor.name]);
      if (order.status === 'exception') await this.records.transition(manager, order, 'pending_review', actor.name, note ?? 'approved', 'approve');
      else await this.records.recordHistory(manager, order.id, order.status, order.status, actor.name, note ?? 'approved', 'approve');
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.approved, order.number, { approvedBy: actor.name });
      // held after its review had passed (rejected while stock.reserve was due), the process waits for stock: wake that step
      if (await this.workflow.waitsForMessage(manager, order.number, ORDER_MESSAGES.stockArrived)) {
        await this.workflow.correlateMessage(manager, ORDER_MESSAGES.stockArrived, order.number, { approvedBy: actor.name });
      }
      return order.id;
    });
    return this.get(id);
  }

  async reject(idOrNumber: string, reason: string, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (order.status !== 'pending_review') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only pending_review orders can be rejected`);
      }
      await manager.query(`UPDATE customer_order SET approved_by = NULL, approved_at = NULL WHERE id = $1`, [order.id]);
      await this.records.transition(manager, order, 'exception', actor.name, `rejected: ${reason}`, 'reject');
      return order.id;
    });
    return this.get(id);
  }

  /**
   * PATCH /api/orders/{id} (G1.2, issue 5 item 2): amends customer, address, lines (all replaced) or notes while the
   * order is pending_payment, pending_review or exception, recomputes the totals and reviews it again in the same
   * transaction. An exception order becomes pending_review first; an unpaid one stays pending_payment. When the
   * re-review approves it and its process waits at Event_OrderApproved, OrderApproved is correlated, so a fixed
   * order goes on by itself; still blocked, it is exception again with the new flags. A person's earlier approval
   * is kept only when the amended order passes automatically.
   */
  async amend(idOrNumber: string, changes: AmendOrderDto, actor: Actor): Promise<OrderView> {
    const parts = (['customer', 'shippingAddress', 'lines', 'notes'] as const).filter((key) => changes[key] !== undefined);
    if (parts.length === 0) throw ValidationError.of('body', 'has nothing to amend: give customer, shippingAddress, lines or notes');
    const id = await this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (!AMENDABLE_STATUSES.includes(order.status)) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only ${AMENDABLE_STATUSES.join(', ')} orders can be amended`);
      }
      if (changes.customer) {
        const { name, phone, email, locale } = changes.customer;
        order.customerName = name;
        order.customerPhone = phone;
        if (email !== undefined) order.customerEmail = email ?? null;
        if (locale !== undefined) order.customerLocale = locale ?? null;
        await manager.query(`UPDATE customer_order SET customer_name = $2, customer_phone = $3, customer_email = $4, customer_locale = $5 WHERE id = $1`, [
          order.id, order.customerName, order.customerPhone, order.customerEmail, order.customerLocale,
        ]);
      }
      if (changes.shippingAddress) {
        order.shippingAddress = { ...changes.shippingAddress };
        await manager.query(`UPDATE customer_order SET shipping_address = $2 WHERE id = $1`, [order.id, JSON.stringify(order.shippingAddress)]);
      }
      if (changes.lines) await this.replaceLines(manager, order, changes.lines);
      if (changes.notes !== undefined) {
        order.notes = changes.notes ?? null;
        await manager.query(`UPDATE customer_order SET notes = $2 WHERE id = $1`, [order.id, order.notes]);
      }
      await manager.query(`UPDATE customer_order SET version = version + 1, updated_at = now() WHERE id = $1`, [order.id]);
      const note = `amended by ${actor.name}: ${parts.map((part) => (part === 'shippingAddress' ? 'address' : part)).join(', ')}`;
      const wasException = order.status === 'exception';
      if (wasException) await this.records.transition(manager, order, 'pending_review', actor.name, note, 'amend');
      else await this.records.recordHistory(manager, order.id, order.status, order.status, actor.name, note, 'amend');
      const outcome = await this.reviewLocked(manager, order, { honourApproval: false });
      if (outcome !== 'approved' && order.approvedAt) {
        await manager.query(`UPDATE customer_order SET approved_by = NULL, approved_at = NULL WHERE id = $1`, [order.id]);
      }
      // an exception order's process waits at (or is on its way to) Event_OrderApproved; a held pending_review one may wait there too
      if (outcome === 'approved' && (wasException || (await this.workflow.waitsForMessage(manager, order.number, ORDER_MESSAGES.approved)))) {
        await this.workflow.correlateMessage(manager, ORDER_MESSAGES.approved, order.number, { approvedBy: 'review after amendment' });
      }
      return order.id;
    });
    return this.get(id);
  }

  /** Replaces every line of an order (amend) and recomputes its totals in integer cents; the caller holds the row lock. */
  private async replaceLines(manager: EntityManager, order: Order, lines: Array<{ sku: string; quantity: number; unitPrice: string }>): Promise<void> {
    const shippingFee = normaliseMoney(order.shippingFee) ?? '0.00';
    const grandCents = lines.reduce((total, line) => total + toCents(line.unitPrice) * BigInt(line.quantity), toCents(shippingFee));
    if (grandCents > MAX_MONEY_CENTS) {
      throw ValidationError.of('lines', `the order total ${fromCents(grandCents)} is over the maximum of ${fromCents(MAX_MONEY_CENTS)}`);
    }
    const products = await this.catalog.findBySkus(lines.map((line) => line.sku), manager);
    await manager.query(`DELETE FROM order_line WHERE order_id = $1`, [order.id]);
    for (const [index, line] of lines.entries()) {
      await manager.query(`INSERT INTO order_line (order_id, line_no, sku, name, quantity, unit_price) VALUES ($1, $2, $3, $4, $5, $6)`, [
        order.id, index + 1, line.sku, products.get(line.sku)?.name ?? '', line.quantity, line.unitPrice,
      ]);
    }
    order.itemsTotal = sumMoney(lines.map((line) => multiplyMoney(line.unitPrice, line.quantity)));
    order.grandTotal = sumMoney([order.itemsTotal, shippingFee]);
    await manager.query(`UPDATE customer_order SET items_total = $2, grand_total = $3 WHERE id = $1`, [order.id, order.itemsTotal, order.grandTotal]);
  }

  /** POST /api/orders/{id}/allocation (G2.3): see OrderAllocationService.allocateManually. */
  async allocateManually(idOrNumber: string, choice: ManualAllocationDto, actor: Actor): Promise<OrderView> {
    return this.get(await this.orderAllocation.allocateManually(idOrNumber, choice, actor));
  }

  /**
   * Any status before shipped; reserved stock is released and the process ends. A partially shipped order keeps what left:
   * the rest is cancelled and it counts as shipped (OrderShippingService.cancelRest).
   */
  async cancel(idOrNumber: string, reason: string, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (order.status === 'partially_shipped') {
        await this.shipping.cancelRest(manager, order, reason, actor);
        return order.id;
      }
      this.records.assertTransition(order, 'cancelled', 'cancelled');
      await this.cancelLocked(manager, order, reason, actor.name);
      // a person's cancel ends the process where it stands, so the customer is told here
      if (order.processInstanceId) await this.workflow.terminateInstance(manager, order.processInstanceId);
      await this.notifications.send(manager, order.id, 'order-cancelled', { cancellation: { reason } });
      return order.id;
    });
    return this.get(id);
  }

  /**
   * The diagram's payment deadline (G1.1, issue 5 item 3): cancels the order if it is still unpaid. The process
   * itself goes on (to notify the customer), so it is not terminated. False when the payment won the race.
   */
  async cancelUnpaid(manager: EntityManager, order: Order): Promise<boolean> {
    if (order.status === 'cancelled') return true; // this step ran already
    if (order.status !== 'pending_payment') return false;
    await this.cancelLocked(manager, order, 'not paid within the time limit', 'system');
    return true;
  }

  /** Releases what the order holds and records the cancellation; the caller holds the order's row lock. */
  private async cancelLocked(manager: EntityManager, order: Order, reason: string, by: string): Promise<void> {
    await this.inventory.releaseReservations(manager, reservationReference(order.id), by, `order ${order.number} cancelled`);
    await manager.query(`UPDATE order_line SET reserved = shipped WHERE order_id = $1`, [order.id]);
    await this.fulfillment.cancelOpenShipments(manager, order.id, by);
    await this.records.transition(manager, order, 'cancelled', by, reason, 'cancel');
  }

  async confirmPayment(idOrNumber: string, payment: PaymentConfirmationDto, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (order.paymentStatus === 'paid' || order.status !== 'pending_payment') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status} with payment ${order.paymentStatus}; only pending_payment orders take a payment`);
      }
      await manager.query(
        `UPDATE customer_order SET payment_status = 'paid', payment_amount = $2, payment_reference = $3, paid_at = $4 WHERE id = $1`,
        [order.id, payment.amount, payment.reference, payment.paidAt ?? new Date().toISOString()],
      );
      await this.records.transition(manager, order, 'pending_review', actor.name, `payment ${payment.reference} of ${payment.amount} received`);
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.paymentReceived, order.number, {});
      await this.notifications.send(manager, order.id, 'payment-received');
      return order.id;
    });
    return this.get(id);
  }

  /** G2.4 without a WMS: see OrderShippingService.ship. */
  async ship(idOrNumber: string, carrier: string, trackingNumber: string, actor: Actor, confirm: ShipmentConfirmation = {}): Promise<OrderView> {
    return this.get(await this.shipping.ship(idOrNumber, carrier, trackingNumber, actor, confirm));
  }

  /** G1.6: see OrderShippingService.confirmReceipt. */
  async confirmReceipt(idOrNumber: string, actor: Actor): Promise<OrderView> {
    return this.get(await this.shipping.confirmReceipt(idOrNumber, actor));
  }

}

/**
 * G2.6 (issue 14 item 4): the review's out_of_stock names the SKU most short and the shortfall like allocation's flag does, so
 * an order held in exception for another flag shows in the stock queue with what it lacks; the review's message stays.
 */
function detailedShortage(flag: OrderFlag, lines: OrderLine[], products: Map<string, unknown>, available: Map<string, number>, stock: StockRead): OrderFlag {
  const short = mergeBySku(lines).filter(({ sku, quantity }) => products.has(sku) && (available.get(sku) ?? 0) < quantity);
  if (short.length === 0) return flag;
  const { sku, shortfall, shortages } = outOfStockFlag(stockShortages(short, stock));
  return { ...flag, sku, shortfall, shortages };
}

function outcomeOf(status: OrderStatus): ReviewOutcome {
  if (status === 'exception') return 'exception';
  if (status === 'cancelled') return 'closed';
  return 'approved';
}

