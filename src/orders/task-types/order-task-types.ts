import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../notifications/notification-events';
import type { Permission } from '../../auth/permissions';
import { NotFoundError } from '../../common/errors';
import { type TaskContext, TaskRefusedError, TaskTypeRegistry } from '../../workflow/task-type.registry';
import { OrderAllocationService } from '../order-allocation.service';
import { type NotificationExtras, OrderNotifications, shipmentData } from '../order-notifications';
import { OrderRecords } from '../order-records';
import { OrderShippingService } from '../order-shipping.service';
import type { OrderLine } from '../order-line.entity';
import type { Order } from '../order.entity';
import { OrdersService } from '../orders.service';

const orderIdOf = (context: TaskContext): string => {
  const orderId = context.variables.orderId;
  if (typeof orderId !== 'string') throw new Error(`<${context.elementId}> the process has no orderId variable`);
  return orderId;
};

/** What the order steps' effects need: the permissions of the API routes with the same effect (approve, cancel, ...). */
const APPROVES: Permission[] = ['orders.approve'];
const CHANGES_ORDERS: Permission[] = ['orders.write'];

/** An order locked by a step, with its lines: the step's tasks change both through these objects. */
interface LockedOrder {
  order: Order;
  lines: OrderLine[];
}

/** The order steps a diagram can call: order.review, stock.reserve, order.complete, notify.send (DESIGN "The one idea"). */
@Injectable()
export class OrderTaskTypes implements OnModuleInit {
  constructor(
    private readonly registry: TaskTypeRegistry,
    private readonly orders: OrdersService,
    private readonly allocation: OrderAllocationService,
    private readonly shipping: OrderShippingService,
    private readonly notifications: OrderNotifications,
    private readonly records: OrderRecords,
  ) {}

  /** The order each step locked, per step transaction: the step's tasks share one lock and one read of it. */
  private readonly lockedInStep = new WeakMap<EntityManager, Map<string, Promise<LockedOrder>>>();

  onModuleInit(): void {
    this.registry.register({
      type: 'order.review',
      name: 'Review order',
      description: 'Checks address, phone, SKUs, stock, purchase limits, delivery area and payment; flags what fails.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [{ name: 'reviewOutcome', type: 'string', description: 'approved | exception | pending_payment | closed' }],
      permissions: APPROVES,
      handle: async (context) => {
        const { order, lines } = await this.ownOrderOf(context);
        return { reviewOutcome: await this.orders.review(context.manager, order, lines) };
      },
    });
    this.registry.register({
      type: 'stock.reserve',
      name: 'Reserve stock',
      description: 'Allocates a warehouse and reserves every line there; the order waits for stock when none can.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [
        { name: 'stockReserved', type: 'boolean', description: 'true when the whole order is reserved' },
        { name: 'warehouse', type: 'string', description: 'code of the warehouse chosen' },
      ],
      permissions: CHANGES_ORDERS,
      handle: async (context) => {
        const { order, lines } = await this.ownOrderOf(context);
        const result = await this.allocation.reserveStock(context.manager, order, lines);
        return { stockReserved: result.reserved, ...(result.warehouse ? { warehouse: result.warehouse } : {}) };
      },
    });
    this.registry.register({
      type: 'order.complete',
      name: 'Complete order',
      description: 'Completes a delivered (or shipped) order that was not confirmed by the customer: "deemed received". Does nothing to a completed order.',
      inputs: [
        { name: 'orderId', type: 'string', description: 'process variable' },
        { name: 'note', type: 'string', description: 'history note (default "deemed received")' },
      ],
      outputs: [{ name: 'orderCompleted', type: 'boolean', description: 'true when this step completed the order; false when it was completed already' }],
      permissions: CHANGES_ORDERS,
      handle: async (context) => ({
        orderCompleted: (await this.shipping.completeDeemedReceived(context.manager, (await this.ownOrderOf(context)).order, context.input.note || undefined)).completed,
      }),
    });
    this.registry.register({
      type: 'order.cancel-unpaid',
      name: 'Cancel unpaid order',
      description: 'Cancels the order if it is still awaiting payment (the payment deadline); releases what it holds.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [{ name: 'cancelled', type: 'boolean', description: 'false when the payment arrived meanwhile' }],
      permissions: CHANGES_ORDERS,
      handle: async (context) => ({ cancelled: await this.orders.cancelUnpaid(context.manager, (await this.ownOrderOf(context)).order) }),
    });
    this.registry.register({
      type: 'notify.send',
      name: 'Send notification',
      description: 'Tells the customer through the outbox (input "template": an event of notification-events.ts, e.g. order-confirmation) on the channels the settings turn on for it.',
      inputs: [{ name: 'template', type: 'string', description: `one of ${NOTIFICATION_EVENTS.join(', ')}` }],
      outputs: [{ name: 'notified', type: 'boolean', description: 'true when a message was queued (the event is on and the customer has an address for it)' }],
      permissions: CHANGES_ORDERS,
      handle: async (context) => {
        const event = context.input.template || 'order-confirmation';
        if (!(NOTIFICATION_EVENTS as readonly string[]).includes(event)) throw new Error(`<${context.elementId}> no notification event "${event}" (${NOTIFICATION_EVENTS.join(', ')})`);
        const { order, lines } = await this.ownOrderOf(context);
        const extras = await this.extrasOf(context.manager, order.id, event as NotificationEvent);
        const queued = await this.notifications.send(context.manager, order, event as NotificationEvent, extras, undefined, lines);
        return { notified: queued > 0 };
      },
    });
  }

  /**
   * The order this instance was started for (its intake records the instance), row-locked in the step's transaction: a
   * diagram acts on its own order only, never on one named in a variable by whoever started another instance (issue 11
   * item 1). Locked and read once per step, whatever number of the step's tasks act on it: they change it through this
   * object (OrderRecords.transition and the review keep it current).
   */
  private ownOrderOf(context: TaskContext): Promise<LockedOrder> {
    const orderId = orderIdOf(context);
    let locked = this.lockedInStep.get(context.manager);
    if (!locked) this.lockedInStep.set(context.manager, (locked = new Map()));
    let order = locked.get(orderId);
    if (!order) {
      order = this.lockOwnOrder(context.manager, orderId, context.instanceId);
      locked.set(orderId, order);
      order.catch(() => locked.delete(orderId));
    }
    return order;
  }

  private async lockOwnOrder(manager: EntityManager, orderId: string, instanceId: string): Promise<LockedOrder> {
    const locked = await this.records.lockWithLines(manager, orderId).catch((error: Error) => {
      throw error instanceof NotFoundError ? new TaskRefusedError(`there is no order ${orderId}`) : error;
    });
    if (locked.order.processInstanceId !== instanceId) {
      throw new TaskRefusedError(`order ${orderId} belongs to another process instance; a step acts only on the order its instance was started for`);
    }
    return locked;
  }

  /** What an event tells beyond the order, read from the order as it stands (the last parcel, the cancellation's reason). */
  private async extrasOf(manager: EntityManager, orderId: string, event: NotificationEvent): Promise<NotificationExtras> {
    if (event === 'order-cancelled') {
      const order = await this.orders.get(orderId, manager);
      const cancelled = [...order.history].reverse().find((entry) => entry.to === 'cancelled');
      if (!cancelled?.note) return {};
      return { cancellation: { reason: cancelled.note, unpaid: cancelled.by === 'system' && cancelled.from === 'pending_payment' } };
    }
    if (event === 'order-shipped') {
      const order = await this.orders.get(orderId, manager);
      const parcel = [...order.shipments].reverse().find((shipment) => shipment.carrier && shipment.trackingNumber);
      return parcel ? { shipment: shipmentData(parcel.carrier!, parcel.trackingNumber!) } : {};
    }
    return {};
  }
}
