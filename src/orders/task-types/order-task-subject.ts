import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../../common/errors';
import { isUuid } from '../../fulfillment/fulfillment.service';
import { type OrderSubject, TaskSubjectRegistry } from '../../workflow/task-subjects';
import type { OrderView } from '../order-view';
import { OrdersService } from '../orders.service';

/** The order as a task beside it shows it (no address, payment or history: the order page has those). */
export function orderSubject(order: OrderView): OrderSubject {
  return {
    kind: 'order',
    id: order.id,
    number: order.number,
    status: order.status,
    customer: { name: order.customer.name, phone: order.customer.phone },
    lines: order.lines.map((line) => ({ sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: line.unitPrice })),
    total: order.totals.grand,
    flags: (order.flags ?? []).map((flag) => ({ code: flag.code, message: flag.message })),
  };
}

/** A user task of an order's instance (variable `orderId`) shows the order (issue 14 item 9). */
@Injectable()
export class OrderTaskSubject implements OnModuleInit {
  constructor(
    private readonly subjects: TaskSubjectRegistry,
    private readonly orders: OrdersService,
  ) {}

  onModuleInit(): void {
    // after the after-sales source (10): a case's instance names its order too
    this.subjects.register(100, async (variables) => {
      const orderId = variables.orderId;
      if (typeof orderId !== 'string' || !isUuid(orderId)) return null;
      try {
        return orderSubject(await this.orders.get(orderId));
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    });
  }
}
