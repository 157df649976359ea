import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AllocationPlan, AllocationRules } from '../allocation/allocation-plan';
import { AllocationService } from '../allocation/allocation.service';
import type { Actor } from '../common/actor';
import { type ErrorDetail, InvalidStateError, ValidationError } from '../common/errors';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { OPEN_SHIPMENT_STATUSES } from '../fulfillment/shipment-status';
import { InsufficientStockError, InventoryService, mergeBySku, type StockRequest } from '../inventory/inventory.service';
import type { Settings } from '../settings/settings.schema';
import { SettingsService } from '../settings/settings.service';
import { WorkflowRuntimeService } from '../workflow/workflow-runtime.service';
import type { ManualAllocationDto } from './dto/amend-order.dto';
import type { OrderLine } from './order-line.entity';
import { OrderMergeService } from './order-merge.service';
import { OrderRecords, reservationReference } from './order-records';
import { ALLOCATABLE_STATUSES, type OrderStatus } from './order-status';
import type { Order } from './order.entity';
import { ORDER_MESSAGES } from './order-messages';
import { outOfStockFlag, stockShortages } from './stock-shortage';

/** Past allocation: the diagram's stock.reserve step finds nothing to do. */
const ALLOCATED_STATUSES: readonly OrderStatus[] = ['awaiting_shipment', 'partially_shipped', 'shipped', 'delivered', 'completed'];

/**
 * G1.3 / G2.3 for orders: reserves what an order's lines still lack by the settings' strategy and partial-stock policy (one
 * shipment per warehouse used), releases the backorder queue when stock arrives, and lets a person allocate by hand.
 */
@Injectable()
export class OrderAllocationService implements OnModuleInit {
  private readonly logger = new Logger('OrderAllocation');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: OrderRecords,
    private readonly allocation: AllocationService,
    private readonly inventory: InventoryService,
    private readonly fulfillment: FulfillmentService,
    private readonly workflow: WorkflowRuntimeService,
    private readonly settings: SettingsService,
    private readonly merge: OrderMergeService,
  ) {}

  onModuleInit(): void {
    this.inventory.onStockIncreased(async (skus) => {
      await this.releaseBackorders(skus);
    });
  }

  /**
   * The diagram's stock.reserve step, in the step's transaction on the order it locked. An order held by a person meanwhile (rejected into exception, or
   * amended back to pending_payment) is left alone: approve() wakes this step again.
   */
  async reserveStock(manager: EntityManager, order: Order, lines: OrderLine[]): Promise<{ reserved: boolean; warehouse?: string }> {
    if (ALLOCATED_STATUSES.includes(order.status)) return { reserved: true };
    if (order.status !== 'pending_review' && order.status !== 'awaiting_stock') return { reserved: false };
    // the domain's last word (issue 11): a diagram that skips the review, or the wait for a person's approval, reserves nothing
    if (order.status === 'pending_review' && !order.approvedAt) {
      throw new InvalidStateError(`Order ${order.number} is pending_review and not approved; stock is reserved for approved orders only`);
    }
    const plan = await this.allocateOutstanding(manager, order, lines, 'system');
    if (!plan?.parts.length) {
      if (order.status !== 'awaiting_stock') await this.records.transition(manager, order, 'awaiting_stock', 'system', plan?.summary);
      return { reserved: false };
    }
    return { reserved: true, warehouse: plan.parts.map((part) => part.warehouseCode).join(',') };
  }

  /**
   * Restock (G1.3): orders lacking the skus that arrived get them in order of placement, each in its own transaction, until
   * none of those skus is left. An order that was awaiting_stock moves on and its process hears StockArrived.
   */
  async releaseBackorders(skus: string[]): Promise<number> {
    const waiting: Array<{ id: string }> = await this.db.query(
      `SELECT o.id FROM customer_order o WHERE o.status = ANY($2)
          AND EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id AND l.reserved < l.quantity AND l.sku = ANY($1))
        ORDER BY o.placed_at, o.number`,
      [skus, ALLOCATABLE_STATUSES],
    );
    let released = 0;
    for (const { id } of waiting) {
      const [{ left }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM stock_level WHERE sku = ANY($1) AND on_hand > reserved) AS left`, [skus]);
      if (!left) break;
      const moved = await this.db.transaction(async (manager) => {
        const order = await this.records.lock(manager, id);
        if (!ALLOCATABLE_STATUSES.includes(order.status)) return false;
        const wasWaiting = order.status === 'awaiting_stock';
        const plan = await this.allocateOutstanding(manager, order, await this.records.lines(manager, order.id), 'system');
        if (!plan?.parts.length) return false;
        if (wasWaiting) await this.workflow.correlateMessage(manager, ORDER_MESSAGES.stockArrived, order.number, { warehouse: plan.parts[0].warehouseCode });
        return true;
      });
      if (moved) released++;
    }
    if (released) this.logger.log(`restock of ${skus.join(', ')} released ${released} waiting order(s)`);
    return released;
  }

  /**
   * POST /api/orders/{id}/allocation (G2.3): a person chooses the warehouse and/or how much of each sku ships now, for an
   * order not yet fully shipped whose open shipments are not in picking. In one transaction: what the order holds is released
   * and its open shipments cancelled, the choice is reserved (not enough stock → 409 and nothing changes), its shipments
   * created. Fewer units than still unshipped leave the rest in the backorder queue: restock allocates it later.
   */
  async allocateManually(idOrNumber: string, choice: ManualAllocationDto, actor: Actor): Promise<string> {
    if (choice.warehouse === undefined && choice.lines === undefined) throw ValidationError.of('warehouse', 'or lines must be given: nothing to allocate');
    return this.db.transaction(async (manager) => {
      const order = await this.records.lock(manager, idOrNumber);
      if (!ALLOCATABLE_STATUSES.includes(order.status)) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; only ${ALLOCATABLE_STATUSES.join(', ')} orders can be allocated by hand`);
      }
      const lines = await this.records.lines(manager, order.id);
      const unshipped = new Map(mergeBySku(lines.map((line) => ({ sku: line.sku, quantity: line.quantity - line.shipped }))).map((line) => [line.sku, line.quantity] as const));
      const toShip = choice.lines ? chosenQuantities(order, unshipped, choice.lines) : new Map(unshipped);
      const requests = [...toShip].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }));
      if (requests.length === 0) throw ValidationError.of('lines', 'allocate nothing: at least one unit must ship now');
      const warehouses = await this.inventory.activeWarehouses(manager);
      let target = choice.warehouse === undefined ? undefined : warehouses.find((warehouse) => warehouse.code === choice.warehouse);
      if (choice.warehouse !== undefined && !target) throw ValidationError.of('warehouse', `${choice.warehouse} is not an active warehouse`);

      const open = ((await this.fulfillment.shipmentsOf(manager, [order.id])).get(order.id) ?? []).filter((s) => OPEN_SHIPMENT_STATUSES.includes(s.status as never));
      const started = open.find((shipment) => shipment.status !== 'allocated');
      if (started) {
        throw new InvalidStateError(`Order ${order.number} has shipment ${started.id} ${started.status} in ${started.warehouse} already; it can no longer be allocated by hand`);
      }
      const previous = [...new Set(open.map((shipment) => shipment.warehouse))];
      if (!target && choice.lines && previous.length === 1) target = warehouses.find((warehouse) => warehouse.code === previous[0]);
      const reference = reservationReference(order.id);
      await this.inventory.releaseReservations(manager, reference, actor.name, `order ${order.number} allocated again by hand`);
      await this.fulfillment.cancelOpenShipments(manager, order.id, actor.name, `order allocated again by ${actor.name}`);
      await manager.query(`UPDATE order_line SET reserved = shipped WHERE order_id = $1`, [order.id]);
      for (const line of lines) line.reserved = line.shipped;

      let parts: AllocationPlan['parts'];
      if (target) {
        try {
          await this.inventory.reserve(manager, target.id, reference, requests); // all or nothing
        } catch (error) {
          if (!(error instanceof InsufficientStockError)) throw error;
          const available = (await this.inventory.availability([error.sku], manager)).find((row) => row.warehouseId === target!.id)?.available ?? 0;
          throw new InvalidStateError(`Not enough stock of ${error.sku} in ${target.code}: ${available} available, ${toShip.get(error.sku)} needed; nothing was changed`);
        }
        parts = [{ warehouseId: target.id, warehouseCode: target.code, lines: requests, reason: `${target.code}: chosen by ${actor.name}` }];
      } else {
        const plan = await this.allocation.allocate(manager, reference, requests, order.shippingAddress, allocationRules(await this.settings.get(manager)));
        if (plan.parts.length === 0) throw new InvalidStateError(`${plan.summary}; choose a warehouse or fewer units; nothing was changed`);
        parts = plan.parts;
      }
      for (const part of parts) await this.fulfillment.createShipment(manager, order.id, part.warehouseId, part.lines, part.reason);
      await this.records.addToLines(manager, lines, 'reserved', requests);
      const short = lines.filter((line) => line.reserved < line.quantity);
      if (short.length === 0) await this.records.removeFlag(manager, order, 'out_of_stock');
      else await this.markShortage(manager, order, short.map((line) => ({ sku: line.sku, quantity: line.quantity - line.reserved })));
      let note = target ? `allocated by ${actor.name} to ${target.code}` : `allocated by ${actor.name}: ${parts.map((part) => part.reason).join('; ')}`;
      const fewer = [...toShip].filter(([sku, quantity]) => quantity !== unshipped.get(sku));
      if (fewer.length) note += `; shipping now ${fewer.map(([sku, quantity]) => `${sku} ${quantity} of ${unshipped.get(sku)}`).join(', ')}, the rest waits for restock`;
      if (previous.length) note += `; was ${previous.join(', ')}`;
      if (order.status === 'awaiting_stock') {
        await this.records.transition(manager, order, 'awaiting_shipment', actor.name, note, 'allocate');
        await this.workflow.correlateMessage(manager, ORDER_MESSAGES.stockArrived, order.number, { allocatedBy: actor.name, warehouse: parts[0].warehouseCode });
      } else {
        await this.records.recordHistory(manager, order.id, order.status, order.status, actor.name, note, 'allocate');
      }
      return order.id;
    });
  }

  /**
   * Reserves what the order's lines still lack as the settings say, one shipment per warehouse used, and records why; a
   * pending_review or awaiting_stock order that got anything moves to awaiting_shipment. Null when nothing is lacking.
   */
  private async allocateOutstanding(manager: EntityManager, order: Order, lines: OrderLine[], by: string): Promise<AllocationPlan | null> {
    const outstanding = mergeBySku(lines.map((line) => ({ sku: line.sku, quantity: line.quantity - line.reserved }))).filter((line) => line.quantity > 0);
    if (outstanding.length === 0) return null;
    const settings = await this.settings.get(manager);
    const plan = await this.allocation.allocate(manager, reservationReference(order.id), outstanding, order.shippingAddress, allocationRules(settings));
    if (plan.parts.length === 0) {
      await this.markShortage(manager, order, plan.missing);
      return plan;
    }
    for (const part of plan.parts) {
      const shipmentId = await this.fulfillment.createShipment(manager, order.id, part.warehouseId, part.lines, part.reason);
      if (settings.orderMerge.automatic) await this.merge.mergeByRule(manager, order, shipmentId);
    }
    await this.records.addToLines(manager, lines, 'reserved', plan.parts.flatMap((part) => part.lines));
    if (plan.missing.length === 0) await this.records.removeFlag(manager, order, 'out_of_stock');
    else await this.markShortage(manager, order, plan.missing);
    const note = `stock reserved: ${plan.summary}`;
    if (order.status === 'pending_review' || order.status === 'awaiting_stock') await this.records.transition(manager, order, 'awaiting_shipment', by, note);
    else await this.records.recordHistory(manager, order.id, order.status, order.status, by, note);
    return plan;
  }

  /**
   * G2.6: an order that lacks units carries out_of_stock with the SKU and the shortfall, as the stock stands now (after this
   * transaction's reservations), whether the review saw the shortage or not (stock taken while the order waited for a
   * person, stock only in inactive warehouses, a policy that waits for one warehouse to have everything).
   */
  private async markShortage(manager: EntityManager, order: Order, missing: StockRequest[]): Promise<void> {
    const lacking = mergeBySku(missing);
    const stock = await this.inventory.stockOf(manager, lacking.map((line) => line.sku));
    await this.records.setFlag(manager, order, outOfStockFlag(stockShortages(lacking, stock)));
  }
}

const allocationRules = (settings: Settings): AllocationRules => ({
  strategy: settings.allocationStrategy,
  partialStockPolicy: settings.partialStockPolicy,
  defaultWarehouse: settings.defaultWarehouse,
});

/** The quantities a person asked for, checked against what is still unshipped: every problem at once, as a 422. */
function chosenQuantities(order: Order, unshipped: Map<string, number>, lines: Array<{ sku: string; quantity: number }>): Map<string, number> {
  const chosen = new Map(unshipped);
  const problems: ErrorDetail[] = [];
  const listed = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const quantity = unshipped.get(line.sku);
    if (quantity === undefined) problems.push({ path: `lines[${index}].sku`, message: `${line.sku} is not in order ${order.number}` });
    else if (listed.has(line.sku)) problems.push({ path: `lines[${index}].sku`, message: `${line.sku} is listed more than once` });
    else if (line.quantity > quantity) problems.push({ path: `lines[${index}].quantity`, message: `${line.quantity} of ${line.sku} is more than the ${quantity} not yet shipped` });
    else chosen.set(line.sku, line.quantity);
    listed.add(line.sku);
  }
  if (problems.length) throw new ValidationError(`The request has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  return chosen;
}
