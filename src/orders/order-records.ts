import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { queryOne } from '../database/sql';
import { OrderLine } from './order-line.entity';
import { ORDER_TRANSITIONS, type OrderStatus } from './order-status';
import { Order } from './order.entity';

/** The reference an order's stock reservations carry in the inventory. */
export const reservationReference = (orderId: string): string => `order:${orderId}`;

/** Lines of one sku added up (an order may list a sku twice). */
export function mergeBySku(lines: Array<{ sku: string; quantity: number }>): Array<{ sku: string; quantity: number }> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals.entries()].map(([sku, quantity]) => ({ sku, quantity }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The order aggregate's storage, shared by the services that change orders (orders, allocation, shipping): finding and
 * locking an order, its lines, and the one place its status changes (DESIGN "Data rules").
 */
@Injectable()
export class OrderRecords {
  async find(manager: EntityManager, idOrNumber: string, lock = false): Promise<Order> {
    const order = await manager.getRepository(Order).findOne({
      where: UUID.test(idOrNumber) ? { id: idOrNumber } : { number: idOrNumber },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!order) throw new NotFoundError('Order', idOrNumber);
    return order;
  }

  /** Row lock on the order: its steps and a person's actions take turns. */
  lock(manager: EntityManager, idOrNumber: string): Promise<Order> {
    return this.find(manager, idOrNumber, true);
  }

  async lines(manager: EntityManager, orderId: string): Promise<OrderLine[]> {
    return (await manager.getRepository(OrderLine).findBy({ orderId })).sort((a, b) => a.lineNo - b.lineNo);
  }

  /**
   * Adds units to the lines' `reserved` or `shipped` counters, sku by sku, filling earlier lines of a sku first; the caller
   * holds the order's lock and passes its lines, which are updated in place too.
   */
  async addToLines(manager: EntityManager, lines: OrderLine[], counter: 'reserved' | 'shipped', units: Array<{ sku: string; quantity: number }>): Promise<void> {
    const left = new Map(mergeBySku(units).map((unit) => [unit.sku, unit.quantity] as const));
    for (const line of lines) {
      const room = counter === 'reserved' ? line.quantity - line.reserved : line.reserved - line.shipped;
      const add = Math.min(room, left.get(line.sku) ?? 0);
      if (add <= 0) continue;
      left.set(line.sku, (left.get(line.sku) ?? 0) - add);
      line[counter] += add;
      await manager.query(`UPDATE order_line SET ${counter} = $2 WHERE id = $1`, [line.id, line[counter]]);
    }
  }

  async removeFlag(manager: EntityManager, orderId: string, code: string): Promise<void> {
    await manager.query(`UPDATE customer_order SET flags = (SELECT coalesce(jsonb_agg(f), '[]') FROM jsonb_array_elements(flags) f WHERE f->>'code' <> $2) WHERE id = $1`, [
      orderId, code,
    ]);
  }

  assertTransition(order: Order, to: OrderStatus, action: string): void {
    if (!ORDER_TRANSITIONS[order.status].includes(to)) {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; it cannot be ${action} now`);
    }
  }

  /** The one place an order's status changes: checked against ORDER_TRANSITIONS and recorded in its history. */
  async transition(manager: EntityManager, order: Order, to: OrderStatus, by: string, note?: string): Promise<void> {
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

  async recordHistory(manager: EntityManager, orderId: string, from: string | null, to: string, by: string, note?: string): Promise<void> {
    await manager.query(`INSERT INTO order_status_history (order_id, from_status, to_status, by, note) VALUES ($1, $2, $3, $4, $5)`, [
      orderId, from, to, by, note?.slice(0, 1000) ?? null,
    ]);
  }
}
