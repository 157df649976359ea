import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Inject } from '@nestjs/common';
import { NotificationsService } from '../../notifications/notifications.service';
import { type TaskContext, TaskTypeRegistry } from '../../workflow/task-type.registry';
import { OrderAllocationService } from '../order-allocation.service';
import { OrderShippingService } from '../order-shipping.service';
import { OrdersService } from '../orders.service';

const orderIdOf = (context: TaskContext): string => {
  const orderId = context.variables.orderId;
  if (typeof orderId !== 'string') throw new Error(`<${context.elementId}> the process has no orderId variable`);
  return orderId;
};

/** The order steps a diagram can call: order.review, stock.reserve, order.complete, notify.send (DESIGN "The one idea"). */
@Injectable()
export class OrderTaskTypes implements OnModuleInit {
  constructor(
    private readonly registry: TaskTypeRegistry,
    private readonly orders: OrdersService,
    private readonly allocation: OrderAllocationService,
    private readonly shipping: OrderShippingService,
    private readonly notifications: NotificationsService,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      type: 'order.review',
      name: 'Review order',
      description: 'Checks address, phone, SKUs, stock, purchase limits, delivery area and payment (G1.2); flags what fails.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [{ name: 'reviewOutcome', type: 'string', description: 'approved | exception | pending_payment | closed' }],
      handle: async (context) => ({ reviewOutcome: await this.orders.review(orderIdOf(context)) }),
    });
    this.registry.register({
      type: 'stock.reserve',
      name: 'Reserve stock',
      description: 'Allocates a warehouse and reserves every line there (G1.3); the order waits for stock when none can.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [
        { name: 'stockReserved', type: 'boolean', description: 'true when the whole order is reserved' },
        { name: 'warehouse', type: 'string', description: 'code of the warehouse chosen' },
      ],
      handle: async (context) => {
        const result = await this.allocation.reserveStock(orderIdOf(context));
        return { stockReserved: result.reserved, ...(result.warehouse ? { warehouse: result.warehouse } : {}) };
      },
    });
    this.registry.register({
      type: 'order.complete',
      name: 'Complete order',
      description: 'Completes a delivered (or shipped) order that was not confirmed by the customer: "deemed received" (G1.6). Does nothing to a completed order.',
      inputs: [
        { name: 'orderId', type: 'string', description: 'process variable' },
        { name: 'note', type: 'string', description: 'history note (default "deemed received")' },
      ],
      outputs: [{ name: 'orderCompleted', type: 'boolean', description: 'true when this step completed the order; false when it was completed already' }],
      handle: async (context) => ({ orderCompleted: (await this.shipping.completeDeemedReceived(orderIdOf(context), context.input.note || undefined)).completed }),
    });
    this.registry.register({
      type: 'order.cancel-unpaid',
      name: 'Cancel unpaid order',
      description: 'Cancels the order if it is still awaiting payment (the payment deadline); releases what it holds.',
      inputs: [{ name: 'orderId', type: 'string', description: 'process variable' }],
      outputs: [{ name: 'cancelled', type: 'boolean', description: 'false when the payment arrived meanwhile' }],
      handle: async (context) => ({ cancelled: await this.orders.cancelUnpaid(orderIdOf(context)) }),
    });
    this.registry.register({
      type: 'notify.send',
      name: 'Send notification',
      description: 'Queues a customer notification from a template (input "template", e.g. order-confirmation) through the outbox.',
      inputs: [{ name: 'template', type: 'string', description: 'template event name under templates/email/<locale>/' }],
      outputs: [{ name: 'notified', type: 'boolean', description: 'true when a message was queued (the customer has an email address)' }],
      handle: async (context) => ({ notified: await this.sendOrderNotification(orderIdOf(context), context.input.template ?? 'order-confirmation') }),
    });
  }

  private async sendOrderNotification(orderId: string, template: string): Promise<boolean> {
    const order = await this.orders.get(orderId);
    if (!order.customer.email) return false;
    await this.db.transaction((manager) =>
      this.notifications.enqueue(manager, {
        idempotencyKey: `${template}:${order.id}:email`,
        channel: 'email',
        event: template,
        locale: order.customer.locale ?? this.config.DEFAULT_LOCALE,
        recipient: order.customer.email!,
        reference: order.number,
        data: {
          shop: { name: this.config.SHOP_NAME },
          order: {
            number: order.number,
            placedAt: order.placedAt,
            customer: order.customer,
            shippingAddress: order.shippingAddress,
            lines: order.lines.map(({ sku, name, quantity, unitPrice }) => ({ sku, name: name || sku, quantity, unitPrice })),
            totals: order.totals,
            currency: 'CNY',
          },
        },
      }),
    );
    return true;
  }
}
