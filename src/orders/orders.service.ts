import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { CatalogService } from '../catalog/catalog.service';
import type { Actor } from '../common/actor';
import { type ErrorDetail, InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { fromCents, MAX_MONEY_CENTS, multiplyMoney, normaliseMoney, sumMoney, toCents } from '../common/money';
import { queryOne } from '../database/sql';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { InsufficientStockError, InventoryService } from '../inventory/inventory.service';
import { SettingsService } from '../settings/settings.service';
import { WorkflowRuntimeService } from '../workflow/workflow-runtime.service';
import type { AmendOrderDto, ManualAllocationDto } from './dto/amend-order.dto';
import type { CreateOrderDto, PaymentConfirmationDto } from './dto/create-order.dto';
import { OrderLine } from './order-line.entity';
import { AMENDABLE_STATUSES, APPROVABLE_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from './order-status';
import { OrderStatusHistory } from './order-status-history.entity';
import { toOrderView, type OrderView } from './order-view';
import { Order } from './order.entity';
import { reviewOrder } from './review-rules';

export const ORDER_WORKFLOW = 'order-fulfillment';

/** Messages the order-fulfillment diagram waits for. */
export const ORDER_MESSAGES = {
  approved: 'OrderApproved',
  paymentReceived: 'PaymentReceived',
  stockArrived: 'StockArrived',
  shipped: 'OrderShipped',
  delivered: 'OrderDelivered',
  receiptConfirmed: 'ReceiptConfirmed',
} as const;

/** `manual`: clean but held for a person by the settings (auto-review off, or over the amount threshold). */
export type ReviewOutcome = 'approved' | 'manual' | 'exception' | 'pending_payment' | 'closed';

export interface OrderListFilter {
  status?: string;
  number?: string;
  phone?: string;
  sku?: string;
  channel?: string;
  from?: string;
  to?: string;
}

const reservationReference = (orderId: string) => `order:${orderId}`;

/** The order aggregate: intake, review, allocation, the person's actions; every status change goes through transition(). */
@Injectable()
export class OrdersService implements OnModuleInit {
  private readonly logger = new Logger('Orders');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly allocation: AllocationService,
    private readonly fulfillment: FulfillmentService,
    private readonly workflow: WorkflowRuntimeService,
    private readonly settings: SettingsService,
  ) {}

  onModuleInit(): void {
    // restock wakes orders waiting for it, oldest first (G1.3)
    this.inventory.onStockIncreased((skus) => this.wakeOrdersWaitingFor(skus));
  }

  /** G1.1: idempotent on (channel, externalId); the order and its process instance commit together. */
  async intake(input: CreateOrderDto, actor: Actor): Promise<{ order: OrderView; created: boolean }> {
    const products = await this.catalog.findBySkus(input.lines.map((line) => line.sku));
    const shippingFee = input.shippingFee ?? '0.00';
    // each price fits, but quantity × price summed may not: a 422 for the request, never a numeric overflow (500)
    const grandCents = input.lines.reduce((total, line) => total + toCents(line.unitPrice) * BigInt(line.quantity), toCents(shippingFee));
    if (grandCents > MAX_MONEY_CENTS) {
      const message = `the order total ${fromCents(grandCents)} is over the maximum of ${fromCents(MAX_MONEY_CENTS)}`;
      throw ValidationError.of('lines', message);
    }
    const itemsTotal = sumMoney(input.lines.map((line) => multiplyMoney(line.unitPrice, line.quantity)));
    const createdId = await this.db.transaction(async (manager) => {
      const [{ seq }] = await manager.query(`SELECT nextval('order_number_seq') AS seq`);
      const status: OrderStatus = input.payment.status === 'paid' ? 'pending_review' : 'pending_payment';
      const inserted = await manager.query(
        `INSERT INTO customer_order (number, channel, external_id, status, customer_name, customer_phone, customer_email, customer_locale,
            shipping_address, payment_method, payment_status, payment_amount, paid_at, items_total, shipping_fee, grand_total, notes, placed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, number`,
        [
          orderNumber(Number(seq)), input.channel, input.externalId, status, input.customer.name, input.customer.phone,
          input.customer.email ?? null, input.customer.locale ?? null, JSON.stringify(input.shippingAddress), input.payment.method,
          input.payment.status, input.payment.amount ?? (input.payment.status === 'paid' ? sumMoney([itemsTotal, shippingFee]) : null),
          input.payment.status === 'paid' ? (input.payment.paidAt ?? new Date().toISOString()) : null,
          itemsTotal, shippingFee, sumMoney([itemsTotal, shippingFee]), input.notes ?? null, input.placedAt ?? new Date().toISOString(),
        ],
      );
      if (inserted.length === 0) return null; // a duplicate: the existing order answers
      const { id, number } = inserted[0];
      for (const [index, line] of input.lines.entries()) {
        await manager.query(`INSERT INTO order_line (order_id, line_no, sku, name, quantity, unit_price) VALUES ($1, $2, $3, $4, $5, $6)`, [
          id, index + 1, line.sku, products.get(line.sku)?.name ?? '', line.quantity, line.unitPrice,
        ]);
      }
      await this.recordHistory(manager, id, null, status, actor.name, `received from ${input.channel}`);
      const instanceId = await this.workflow.startInstance(manager, ORDER_WORKFLOW, number, { orderId: id, orderNumber: number });
      await manager.query(`UPDATE customer_order SET process_instance_id = $2 WHERE id = $1`, [id, instanceId]);
      return id as string;
    });
    if (createdId) return { order: await this.get(createdId), created: true };
    const existing = await this.db.getRepository(Order).findOneByOrFail({ channel: input.channel, externalId: input.externalId });
    return { order: await this.get(existing.id), created: false };
  }

  async get(idOrNumber: string, manager: EntityManager = this.db.manager): Promise<OrderView> {
    const order = await this.find(manager, idOrNumber);
    const [lines, history, shipments] = await Promise.all([
      manager.getRepository(OrderLine).findBy({ orderId: order.id }),
      manager.getRepository(OrderStatusHistory).findBy({ orderId: order.id }),
      this.fulfillment.shipmentsOf(manager, [order.id]),
    ]);
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
    const [orders, total] = await query.orderBy('o.placed_at', 'DESC').addOrderBy('o.number', 'DESC').skip(offset).take(limit).getManyAndCount();
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

  // ---- steps the diagram runs (task types); each is safe to run twice ----

  /** G1.2: flags every rule the order breaks; a clean paid order is approved automatically (G3.1 default). */
  async review(orderId: string): Promise<ReviewOutcome> {
    return this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, orderId);
      if (!['pending_review', 'pending_payment'].includes(order.status)) return outcomeOf(order.status);
      return this.reviewLocked(manager, order);
    });
  }

  /**
   * The review rules for an order in pending_review or pending_payment whose row lock the caller holds (review() and
   * amend() share it): stores the flags and moves the order as the outcome says. `honourApproval: false` ignores a
   * person's earlier approval (an amended order needs a fresh decision).
   */
  private async reviewLocked(manager: EntityManager, order: Order, { honourApproval = true } = {}): Promise<ReviewOutcome> {
    const orderId = order.id;
    const lines = await manager.getRepository(OrderLine).findBy({ orderId });
    const products = await this.catalog.findBySkus(lines.map((line) => line.sku), manager);
    const available = new Map<string, number>();
    for (const row of await this.inventory.availability(lines.map((line) => line.sku), manager)) {
      available.set(row.sku, (available.get(row.sku) ?? 0) + row.available);
    }
    const settings = await this.settings.get(manager);
    const { flags, blocked } = reviewOrder({ ...order, lines, products, available, deliveryArea: new Set(settings.deliveryArea.provinces) });
    await manager.query(`UPDATE customer_order SET flags = $2 WHERE id = $1`, [orderId, JSON.stringify(flags)]);
    if (order.paymentStatus !== 'paid') {
      if (order.status !== 'pending_payment') await this.transition(manager, order, 'pending_payment', 'system', 'waiting for payment');
      return 'pending_payment';
    }
    if (honourApproval && order.approvedAt) return 'approved'; // a person approved it: flags are known and accepted
    if (blocked) {
      await this.transition(manager, order, 'exception', 'system', flags.filter((f) => f.code !== 'out_of_stock').map((f) => f.code).join(', '));
      return 'exception';
    }
    // G3.1: auto-review conditions from the settings; a held order waits in pending_review for approve/reject
    const { enabled, manualReviewAbove } = settings.autoReview;
    const overThreshold = manualReviewAbove !== null && toCents(order.grandTotal) > toCents(manualReviewAbove);
    if (!enabled || overThreshold) {
      const reason = enabled ? `total ${order.grandTotal} is over the manual review threshold of ${manualReviewAbove}` : 'auto-review is off';
      await this.recordHistory(manager, order.id, order.status, order.status, 'system', `held for review: ${reason}`);
      return 'manual';
    }
    return 'approved';
  }

  /** G1.3: reserves the whole order in one warehouse and creates its shipment, or waits for stock. */
  async reserveStock(orderId: string): Promise<{ reserved: boolean; warehouse?: string }> {
    return this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, orderId);
      if (['awaiting_shipment', 'partially_shipped', 'shipped', 'delivered', 'completed'].includes(order.status)) return { reserved: true };
      if (order.status === 'cancelled') return { reserved: false };
      const lines = await manager.getRepository(OrderLine).findBy({ orderId });
      const requests = mergeBySku(lines);
      const allocation = await this.allocation.allocate(manager, reservationReference(orderId), requests, order.shippingAddress);
      if (!allocation) {
        if (order.status !== 'awaiting_stock') await this.transition(manager, order, 'awaiting_stock', 'system', 'not enough stock in any single warehouse');
        return { reserved: false };
      }
      await manager.query(`UPDATE order_line SET reserved = quantity WHERE order_id = $1`, [orderId]);
      await this.fulfillment.createShipment(manager, orderId, allocation.warehouseId, requests);
      await manager.query(`UPDATE customer_order SET flags = (SELECT coalesce(jsonb_agg(f), '[]') FROM jsonb_array_elements(flags) f WHERE f->>'code' <> 'out_of_stock') WHERE id = $1`, [orderId]);
      await this.transition(manager, order, 'awaiting_shipment', 'system', `stock reserved in ${allocation.reason}`);
      return { reserved: true, warehouse: allocation.warehouseCode };
    });
  }

  // ---- a person's actions (API and admin share these) ----

  async approve(idOrNumber: string, actor: Actor, note?: string): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (!APPROVABLE_STATUSES.includes(order.status) || order.approvedAt) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}${order.approvedAt ? ' and already approved' : ''}; only pending_review or exception orders can be approved`);
      }
      await manager.query(`UPDATE customer_order SET approved_by = $2, approved_at = now() WHERE id = $1`, [order.id, actor.name]);
      if (order.status === 'exception') await this.transition(manager, order, 'pending_review', actor.name, note ?? 'approved');
      else await this.recordHistory(manager, order.id, order.status, order.status, actor.name, note ?? 'approved');
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.approved, order.number, { approvedBy: actor.name });
      return order.id;
    });
    return this.get(id);
  }

  async reject(idOrNumber: string, reason: string, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (order.status !== 'pending_review') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only pending_review orders can be rejected`);
      }
      await manager.query(`UPDATE customer_order SET approved_by = NULL, approved_at = NULL WHERE id = $1`, [order.id]);
      await this.transition(manager, order, 'exception', actor.name, `rejected: ${reason}`);
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
      const order = await this.lockOrder(manager, idOrNumber);
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
      if (wasException) await this.transition(manager, order, 'pending_review', actor.name, note);
      else await this.recordHistory(manager, order.id, order.status, order.status, actor.name, note);
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

  /**
   * POST /api/orders/{id}/allocation (G2.3): a person chooses the warehouse and/or how much of each sku ships now, for an
   * awaiting_stock or awaiting_shipment order. In one transaction: the order's reservations are released and its open
   * shipments cancelled, the choice is reserved (a savepoint; not enough stock → 409 and nothing changes), a shipment is
   * created, the lines' `reserved` set, the order moved to awaiting_shipment. An awaiting_stock order's process waits at
   * Event_StockArrived: StockArrived lets its stock.reserve step find the order reserved and go on to the confirmation.
   * Quantities below those ordered ship that much now; the rest stays unshipped (partial shipments go no further yet).
   */
  async allocateManually(idOrNumber: string, choice: ManualAllocationDto, actor: Actor): Promise<OrderView> {
    if (choice.warehouse === undefined && choice.lines === undefined) throw ValidationError.of('warehouse', 'or lines must be given: nothing to allocate');
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (order.status !== 'awaiting_stock' && order.status !== 'awaiting_shipment') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only awaiting_stock or awaiting_shipment orders can be allocated by hand`);
      }
      const lines = (await manager.getRepository(OrderLine).findBy({ orderId: order.id })).sort((a, b) => a.lineNo - b.lineNo);
      const ordered = new Map(mergeBySku(lines).map((line) => [line.sku, line.quantity] as const));
      const toShip = new Map(ordered);
      if (choice.lines) {
        const problems: ErrorDetail[] = [];
        const listed = new Set<string>();
        for (const [index, line] of choice.lines.entries()) {
          const quantity = ordered.get(line.sku);
          if (quantity === undefined) problems.push({ path: `lines[${index}].sku`, message: `${line.sku} is not in order ${order.number}` });
          else if (listed.has(line.sku)) problems.push({ path: `lines[${index}].sku`, message: `${line.sku} is listed more than once` });
          else if (line.quantity > quantity) problems.push({ path: `lines[${index}].quantity`, message: `${line.quantity} of ${line.sku} is more than the ${quantity} ordered` });
          else toShip.set(line.sku, line.quantity);
          listed.add(line.sku);
        }
        if (problems.length) throw new ValidationError(`The request has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
      }
      const requests = [...toShip].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }));
      if (requests.length === 0) throw ValidationError.of('lines', 'allocate nothing: at least one unit must ship now');
      let target: { id: string; code: string } | undefined;
      if (choice.warehouse !== undefined) {
        target = (await this.inventory.activeWarehouses(manager)).find((warehouse) => warehouse.code === choice.warehouse);
        if (!target) throw ValidationError.of('warehouse', `${choice.warehouse} is not an active warehouse`);
      }
      const open = ((await this.fulfillment.shipmentsOf(manager, [order.id])).get(order.id) ?? []).filter((s) => ['allocated', 'picking', 'packed'].includes(s.status));
      const started = open.find((shipment) => shipment.status !== 'allocated');
      if (started) {
        throw new InvalidStateError(`Order ${order.number} has shipment ${started.id} ${started.status} in ${started.warehouse} already; it can no longer be allocated by hand`);
      }
      const previous = [...new Set(open.map((shipment) => shipment.warehouse))].join(', ');
      if (!target && open.length) target = (await this.inventory.activeWarehouses(manager)).find((warehouse) => warehouse.code === open[0].warehouse);
      const reference = reservationReference(order.id);
      await this.inventory.releaseReservations(manager, reference, actor.name, `order ${order.number} allocated again by hand`);
      await this.fulfillment.cancelOpenShipments(manager, order.id, actor.name, `order allocated again by ${actor.name}`);
      let reason: string;
      if (target) {
        await manager.query('SAVEPOINT manual_allocation');
        try {
          await this.inventory.reserve(manager, target.id, reference, requests);
          await manager.query('RELEASE SAVEPOINT manual_allocation');
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT manual_allocation');
          if (!(error instanceof InsufficientStockError)) throw error;
          const available = (await this.inventory.availability([error.sku], manager)).find((row) => row.warehouseId === target!.id)?.available ?? 0;
          const needed = toShip.get(error.sku)!;
          throw new InvalidStateError(`Not enough stock of ${error.sku} in ${target.code}: ${available} available, ${needed} needed; nothing was changed`);
        }
        reason = `allocated by ${actor.name} to ${target.code}`;
      } else {
        const allocation = await this.allocation.allocate(manager, reference, requests, order.shippingAddress);
        if (!allocation) {
          const describe = requests.map((r) => `${r.sku} × ${r.quantity}`).join(', ');
          throw new InvalidStateError(`No single warehouse has ${describe} available; choose a warehouse or fewer units; nothing was changed`);
        }
        target = { id: allocation.warehouseId, code: allocation.warehouseCode };
        reason = `allocated by ${actor.name} to ${allocation.warehouseCode} (${allocation.reason})`;
      }
      await this.fulfillment.createShipment(manager, order.id, target.id, requests);
      const left = new Map(toShip);
      for (const line of lines) {
        const reserved = Math.min(line.quantity, left.get(line.sku) ?? 0);
        left.set(line.sku, (left.get(line.sku) ?? 0) - reserved);
        await manager.query(`UPDATE order_line SET reserved = $2 WHERE id = $1`, [line.id, reserved]);
      }
      const shipping = requests.reduce((total, r) => total + r.quantity, 0);
      const all = [...ordered.values()].reduce((total, quantity) => total + quantity, 0);
      if (shipping === all) {
        await manager.query(`UPDATE customer_order SET flags = (SELECT coalesce(jsonb_agg(f), '[]') FROM jsonb_array_elements(flags) f WHERE f->>'code' <> 'out_of_stock') WHERE id = $1`, [order.id]);
      } else {
        const partial = [...ordered].filter(([sku, quantity]) => toShip.get(sku) !== quantity).map(([sku, quantity]) => `${sku} ${toShip.get(sku)} of ${quantity}`).join(', ');
        reason += `; shipping now ${partial} (the rest stays unshipped: partial shipments are not implemented further)`;
      }
      if (previous && previous !== target.code) reason += `; was ${previous}`;
      if (order.status === 'awaiting_stock') {
        await this.transition(manager, order, 'awaiting_shipment', actor.name, reason);
        await this.workflow.correlateMessage(manager, ORDER_MESSAGES.stockArrived, order.number, { allocatedBy: actor.name, warehouse: target.code });
      } else {
        await this.recordHistory(manager, order.id, order.status, order.status, actor.name, reason);
      }
      return order.id;
    });
    return this.get(id);
  }

  /** Any status before shipped; reserved stock is released and the process ends. */
  async cancel(idOrNumber: string, reason: string, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      this.assertTransition(order, 'cancelled', 'cancelled');
      await this.cancelLocked(manager, order, reason, actor.name);
      // a person's cancel ends the process where it stands
      if (order.processInstanceId) await this.workflow.terminateInstance(manager, order.processInstanceId);
      return order.id;
    });
    return this.get(id);
  }

  /**
   * The diagram's payment deadline (G1.1, issue 5 item 3): cancels the order if it is still unpaid. The process
   * itself goes on (to notify the customer), so it is not terminated. False when the payment won the race.
   */
  async cancelUnpaid(orderId: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, orderId);
      if (order.status === 'cancelled') return true; // this step ran already
      if (order.status !== 'pending_payment') return false;
      await this.cancelLocked(manager, order, 'not paid within the time limit', 'system');
      return true;
    });
  }

  /** Releases what the order holds and records the cancellation; the caller holds the order's row lock. */
  private async cancelLocked(manager: EntityManager, order: Order, reason: string, by: string): Promise<void> {
    await this.inventory.releaseReservations(manager, reservationReference(order.id), by, `order ${order.number} cancelled`);
    await manager.query(`UPDATE order_line SET reserved = 0 WHERE order_id = $1`, [order.id]);
    await this.fulfillment.cancelOpenShipments(manager, order.id, by);
    await this.transition(manager, order, 'cancelled', by, reason);
  }

  async confirmPayment(idOrNumber: string, payment: PaymentConfirmationDto, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (order.paymentStatus === 'paid' || order.status !== 'pending_payment') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status} with payment ${order.paymentStatus}; only pending_payment orders take a payment`);
      }
      await manager.query(
        `UPDATE customer_order SET payment_status = 'paid', payment_amount = $2, payment_reference = $3, paid_at = $4 WHERE id = $1`,
        [order.id, payment.amount, payment.reference, payment.paidAt ?? new Date().toISOString()],
      );
      await this.transition(manager, order, 'pending_review', actor.name, `payment ${payment.reference} of ${payment.amount} received`);
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.paymentReceived, order.number, {});
      return order.id;
    });
    return this.get(id);
  }

  /** G2.4 without a WMS: the operator enters carrier and tracking number; stock leaves the warehouse. */
  async ship(
    idOrNumber: string,
    carrier: string,
    trackingNumber: string,
    actor: Actor,
    confirm: { warehouse?: string; lines?: Array<{ sku: string; quantity: number }> } = {},
  ): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (order.status !== 'awaiting_shipment') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only awaiting_shipment orders can be shipped`);
      }
      await this.checkShipmentConfirmation(manager, order, confirm);
      await this.fulfillment.shipOpenShipments(manager, order.id, carrier, trackingNumber, actor.name);
      await this.inventory.consumeReservations(manager, reservationReference(order.id), actor.name);
      // what was reserved leaves; a manual allocation of fewer units leaves the rest unshipped
      await manager.query(`UPDATE order_line SET shipped = reserved WHERE order_id = $1`, [order.id]);
      await this.transition(manager, order, 'shipped', actor.name, `${carrier} ${trackingNumber}`);
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.shipped, order.number, { carrier, trackingNumber });
      return order.id;
    });
    return this.get(id);
  }

  /**
   * G1.5: a carrier reported a shipment delivered (tracking calls this in its transaction). When every shipment of a shipped
   * order is delivered, the order becomes delivered and the diagram hears OrderDelivered. Safe to call again: anything but a
   * shipped order with all shipments delivered changes nothing. Returns whether the order moved.
   */
  async recordDelivery(manager: EntityManager, orderId: string, by: string, note: string): Promise<boolean> {
    const order = await this.lockOrder(manager, orderId);
    if (order.status !== 'shipped') return false;
    const shipments = ((await this.fulfillment.shipmentsOf(manager, [order.id])).get(order.id) ?? []).filter((s) => s.status !== 'cancelled');
    if (shipments.length === 0 || shipments.some((s) => s.status !== 'delivered')) return false;
    await this.transition(manager, order, 'delivered', by, shipments.length > 1 ? `${note}; all ${shipments.length} shipments delivered` : note);
    await this.workflow.correlateMessage(manager, ORDER_MESSAGES.delivered, order.number, { deliveredAt: new Date().toISOString() });
    return true;
  }

  /**
   * G1.6: the customer (or customer service for them) confirms receipt: shipped or delivered → completed. From shipped the
   * carrier's delivery is taken as given, so the diagram hears OrderDelivered first, then ReceiptConfirmed.
   */
  async confirmReceipt(idOrNumber: string, actor: Actor): Promise<OrderView> {
    const id = await this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, idOrNumber);
      if (order.status !== 'shipped' && order.status !== 'delivered') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only shipped or delivered orders can be confirmed as received`);
      }
      const wasShipped = order.status === 'shipped';
      await this.transition(manager, order, 'completed', actor.name, 'receipt confirmed');
      if (wasShipped) await this.workflow.correlateMessage(manager, ORDER_MESSAGES.delivered, order.number, { deliveredBy: 'receipt confirmation' });
      await this.workflow.correlateMessage(manager, ORDER_MESSAGES.receiptConfirmed, order.number, { confirmedBy: actor.name });
      return order.id;
    });
    return this.get(id);
  }

  /**
   * The diagram's order.complete step (the "deemed received" timer, G1.6): delivered or shipped → completed with that note;
   * an order completed already (the customer confirmed meanwhile) is left as it is. Safe to run twice.
   */
  async completeDeemedReceived(orderId: string, note = 'deemed received'): Promise<{ completed: boolean }> {
    return this.db.transaction(async (manager) => {
      const order = await this.lockOrder(manager, orderId);
      if (order.status === 'completed') return { completed: false };
      if (order.status !== 'delivered' && order.status !== 'shipped') {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only shipped or delivered orders can be completed`);
      }
      await this.transition(manager, order, 'completed', 'system', note);
      return { completed: true };
    });
  }

  /**
   * What the operator says is leaving must be what was allocated: the warehouse of an open shipment, and (one-step
   * confirmation ships everything; there is no partial shipment yet) every allocated unit. Anything else is a 422.
   */
  private async checkShipmentConfirmation(manager: EntityManager, order: Order, confirm: { warehouse?: string; lines?: Array<{ sku: string; quantity: number }> }): Promise<void> {
    if (confirm.warehouse === undefined && confirm.lines === undefined) return;
    const open = ((await this.fulfillment.shipmentsOf(manager, [order.id])).get(order.id) ?? []).filter((s) => ['allocated', 'picking', 'packed'].includes(s.status));
    const warehouses = [...new Set(open.map((s) => s.warehouse))];
    if (confirm.warehouse !== undefined && !warehouses.includes(confirm.warehouse)) {
      const message = `order ${order.number} is allocated to ${warehouses.join(', ') || 'no warehouse'}, not ${confirm.warehouse}`;
      throw ValidationError.of('warehouse', message);
    }
    if (confirm.lines !== undefined) {
      const describe = (lines: Array<{ sku: string; quantity: number }>) =>
        mergeBySku(lines).sort((a, b) => a.sku.localeCompare(b.sku)).map((l) => `${l.sku} × ${l.quantity}`).join(', ');
      const allocated = describe(open.filter((s) => confirm.warehouse === undefined || s.warehouse === confirm.warehouse).flatMap((s) => s.lines));
      if (describe(confirm.lines) !== allocated) {
        const message = `a one-step confirmation ships every allocated unit (${allocated}); partial shipments are not supported`;
        throw ValidationError.of('lines', message);
      }
    }
  }

  private async wakeOrdersWaitingFor(skus: string[]): Promise<void> {
    const waiting: Array<{ number: string }> = await this.db.query(
      `SELECT o.number FROM customer_order o WHERE o.status = 'awaiting_stock'
          AND EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id AND l.sku = ANY($1)) ORDER BY o.placed_at, o.number`,
      [skus],
    );
    for (const { number } of waiting) {
      await this.db.transaction((manager) => this.workflow.correlateMessage(manager, ORDER_MESSAGES.stockArrived, number, {}));
    }
  }

  // ---- the aggregate's internals ----

  private async find(manager: EntityManager, idOrNumber: string, lock = false): Promise<Order> {
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrNumber);
    const order = await manager.getRepository(Order).findOne({
      where: byId ? { id: idOrNumber } : { number: idOrNumber },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!order) throw new NotFoundError('Order', idOrNumber);
    return order;
  }

  /** Row lock on the order: its steps and a person's actions take turns. */
  private lockOrder(manager: EntityManager, idOrNumber: string): Promise<Order> {
    return this.find(manager, idOrNumber, true);
  }

  private assertTransition(order: Order, to: OrderStatus, action: string): void {
    if (!ORDER_TRANSITIONS[order.status].includes(to)) {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; it cannot be ${action} now`);
    }
  }

  /** The one place an order's status changes: checked against ORDER_TRANSITIONS and recorded in its history. */
  private async transition(manager: EntityManager, order: Order, to: OrderStatus, by: string, note?: string): Promise<void> {
    this.assertTransition(order, to, `moved to ${to}`);
    const updated = await queryOne(
      manager,
      `UPDATE customer_order SET status = $3, version = version + 1, updated_at = now() WHERE id = $1 AND status = $2 RETURNING id`,
      [order.id, order.status, to],
    );
    if (!updated) throw new InvalidStateError(`Order ${order.number} changed meanwhile; try again`);
    await this.recordHistory(manager, order.id, order.status, to, by, note);
    order.status = to;
  }

  private async recordHistory(manager: EntityManager, orderId: string, from: string | null, to: string, by: string, note?: string): Promise<void> {
    await manager.query(`INSERT INTO order_status_history (order_id, from_status, to_status, by, note) VALUES ($1, $2, $3, $4, $5)`, [
      orderId, from, to, by, note?.slice(0, 1000) ?? null,
    ]);
  }
}

function outcomeOf(status: OrderStatus): ReviewOutcome {
  if (status === 'exception') return 'exception';
  if (status === 'cancelled') return 'closed';
  return 'approved';
}

function mergeBySku(lines: Array<{ sku: string; quantity: number }>): Array<{ sku: string; quantity: number }> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals.entries()].map(([sku, quantity]) => ({ sku, quantity }));
}

/** SO + yyMMdd + a six-digit sequence: readable on the phone, unique across processes. */
export function orderNumber(sequence: number, now = new Date()): string {
  const date = now.toISOString().slice(2, 10).replace(/-/g, '');
  return `SO${date}${String(sequence).padStart(6, '0')}`;
}
