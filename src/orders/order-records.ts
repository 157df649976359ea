import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { entityColumnsSql, queryOne } from '../database/sql';
import { mergeBySku } from '../inventory/inventory.service';
import { OrderLine } from './order-line.entity';
import { type OrderAction, ORDER_TRANSITIONS, type OrderStatus } from './order-status';
import type { OrderStatusHistory } from './order-status-history.entity';
import { Order, type OrderFlag } from './order.entity';

/** What intake writes: the order's columns, its lines, its first history entry, and the workflow it starts. */
export interface NewOrder {
  values: Record<string, unknown> & { status: OrderStatus };
  lines: Array<{ line_no: number; sku: string; quantity: number; unit_price: string }>;
  /** SQL for a sku's product name (the catalogue's), given the SQL of the sku. */
  productName: (sku: string) => string;
  history: { by: string; note: string };
  /** SQL CTEs that start the order's process (WorkflowRuntimeService.startInstanceSql), given the order's CTE and instance id. */
  startProcess: (order: { source: string; instanceId: string }) => { definition: string; start: string };
}

/** Order lines `l` as a JSON array shaped like OrderLine (money stays text). */
const LINES_JSON_SQL = `coalesce(json_agg(json_build_object('id', l.id, 'orderId', l.order_id, 'lineNo', l.line_no, 'sku', l.sku, 'name', l.name,
  'quantity', l.quantity, 'unitPrice', l.unit_price::text, 'reserved', l.reserved, 'shipped', l.shipped) ORDER BY l.line_no), '[]')`;

/** An order number in SQL: SO + yyMMdd (UTC) + the sequence padded to six digits, never cut (readable on the phone, unique). */
export const orderNumberSql = (sequence: string, at = 'now()') =>
  `'SO' || to_char(${at} AT TIME ZONE 'UTC', 'YYMMDD') || lpad(${sequence}::text, greatest(6, length(${sequence}::text)), '0')`;

/** The reference an order's stock reservations carry in the inventory. */
export const reservationReference = (orderId: string): string => `order:${orderId}`;

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

  /**
   * Writes a new order in ONE statement: the order (numbered, pointing at the process instance whose id is made here), its
   * lines, its first history entry and its process (the workflow's CTEs), and answers with the rows written. Undefined when
   * the (channel, external id) exists already, or when the workflow has no deployed version (nothing is written then).
   */
  async insertOrder(db: DataSource, order: NewOrder): Promise<{ order: Order; lines: OrderLine[]; history: OrderStatusHistory[]; instanceId: string } | undefined> {
    const instanceId = randomUUID();
    const columns = Object.keys(order.values);
    const params: unknown[] = [instanceId, JSON.stringify(order.lines), order.history.by, order.history.note];
    const values = columns.map((column) => `$${params.push(column === 'shipping_address' ? JSON.stringify(order.values[column]) : order.values[column])}`);
    const process = order.startProcess({ source: 'new_order', instanceId: '$1::uuid' });
    const row = await queryOne<Order & { new_lines: OrderLine[]; new_history: Array<OrderStatusHistory & { at: string }> }>(
      db,
      `WITH ${process.definition},
       sequence AS (SELECT nextval('order_number_seq') AS n),
       new_order AS (
         INSERT INTO customer_order (number, process_instance_id, ${columns.join(', ')})
         SELECT ${orderNumberSql('sequence.n')}, $1, ${values.join(', ')} FROM sequence WHERE EXISTS (SELECT 1 FROM definition)
         ON CONFLICT (channel, external_id) DO NOTHING RETURNING *
       ), new_lines AS (
         INSERT INTO order_line (order_id, line_no, sku, name, quantity, unit_price)
         SELECT o.id, l.line_no, l.sku, coalesce(${order.productName('l.sku')}, ''), l.quantity, l.unit_price
           FROM new_order o, jsonb_to_recordset($2::jsonb) AS l(line_no int, sku text, quantity int, unit_price numeric)
         RETURNING *
       ), new_history AS (
         INSERT INTO order_status_history (order_id, from_status, to_status, by, note) SELECT o.id, NULL, o.status, $3, $4 FROM new_order o
         RETURNING *
       ), ${process.start}
       SELECT ${entityColumnsSql(db, Order, 'new_order')},
              (SELECT ${LINES_JSON_SQL} FROM new_lines l) AS new_lines,
              (SELECT json_agg(json_build_object('id', h.id::text, 'orderId', h.order_id, 'at', h.at, 'fromStatus', h.from_status, 'toStatus', h.to_status,
                                 'by', h.by, 'note', h.note)) FROM new_history h) AS new_history
         FROM new_order`,
      params,
    );
    if (!row) return undefined;
    const { new_lines: lines, new_history: history, ...written } = row;
    return { order: Object.assign(new Order(), written), lines, history: history.map((entry) => ({ ...entry, at: new Date(entry.at) }) as OrderStatusHistory), instanceId };
  }

  /** The order row-locked with its lines, in one round trip (a workflow step's read of its order). */
  async lockWithLines(manager: EntityManager, orderId: string): Promise<{ order: Order; lines: OrderLine[] }> {
    if (!UUID.test(orderId)) throw new NotFoundError('Order', orderId);
    const row = await queryOne<Order & { order_lines: OrderLine[] }>(
      manager,
      `SELECT ${entityColumnsSql(manager, Order, 'o')}, (SELECT ${LINES_JSON_SQL} FROM order_line l WHERE l.order_id = o.id) AS order_lines
         FROM customer_order o WHERE o.id = $1 FOR UPDATE OF o`,
      [orderId],
    );
    if (!row) throw new NotFoundError('Order', orderId);
    const { order_lines: lines, ...order } = row;
    return { order: Object.assign(new Order(), order), lines };
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
    const changed: OrderLine[] = [];
    for (const line of lines) {
      const room = counter === 'reserved' ? line.quantity - line.reserved : line.reserved - line.shipped;
      const add = Math.min(room, left.get(line.sku) ?? 0);
      if (add <= 0) continue;
      left.set(line.sku, (left.get(line.sku) ?? 0) - add);
      line[counter] += add;
      changed.push(line);
    }
    if (changed.length === 0) return;
    // one statement for every line that changed (issue 12 item 4)
    await manager.query(`UPDATE order_line l SET ${counter} = c.value FROM unnest($1::uuid[], $2::int[]) AS c(id, value) WHERE l.id = c.id`, [
      changed.map((line) => line.id), changed.map((line) => line[counter]),
    ]);
  }

  /** Drops a flag of the order (locked by the caller, whose copy is kept current); nothing to write when it has none. */
  async removeFlag(manager: EntityManager, order: Order, code: string): Promise<void> {
    if (!order.flags.some((flag) => flag.code === code)) return;
    await manager.query(`UPDATE customer_order SET flags = (SELECT coalesce(jsonb_agg(f), '[]') FROM jsonb_array_elements(flags) f WHERE f->>'code' <> $2) WHERE id = $1`, [
      order.id, code,
    ]);
    order.flags = order.flags.filter((flag) => flag.code !== code);
  }

  /** Sets a flag of the order (replacing one of the same code); nothing to write when it is there with the same message. */
  async setFlag(manager: EntityManager, order: Order, flag: OrderFlag): Promise<void> {
    const current = order.flags.find((existing) => existing.code === flag.code);
    if (current && current.message === flag.message && current.sku === flag.sku) return; // the message spells out every field
    const flags = [...order.flags.filter((existing) => existing.code !== flag.code), flag];
    await manager.query(`UPDATE customer_order SET flags = $2 WHERE id = $1`, [order.id, JSON.stringify(flags)]);
    order.flags = flags;
  }

  assertTransition(order: Order, to: OrderStatus, action: string): void {
    if (!ORDER_TRANSITIONS[order.status].includes(to)) {
      throw new InvalidStateError(`Order ${order.number} is ${order.status}; it cannot be ${action} now`);
    }
  }

  /**
   * The one place an order's status changes: checked against ORDER_TRANSITIONS and recorded in its history, in one statement.
   * `action`: the person's action that made the change (staff performance, G5.3).
   */
  async transition(manager: EntityManager, order: Order, to: OrderStatus, by: string, note?: string, action?: OrderAction): Promise<void> {
    this.assertTransition(order, to, `moved to ${to}`);
    const updated = await queryOne(
      manager,
      `WITH moved AS (
         UPDATE customer_order SET status = $3, version = version + 1, updated_at = now() WHERE id = $1 AND status = $2 RETURNING id
       ), history AS (
         INSERT INTO order_status_history (order_id, from_status, to_status, by, note, action) SELECT id, $2, $3, $4, $5, $6 FROM moved
       )
       SELECT id FROM moved`,
      [order.id, order.status, to, by, note?.slice(0, 1000) ?? null, action ?? null],
    );
    if (!updated) throw new InvalidStateError(`Order ${order.number} changed meanwhile; try again`);
    order.status = to;
  }

  async recordHistory(manager: EntityManager, orderId: string, from: string | null, to: string, by: string, note?: string, action?: OrderAction): Promise<void> {
    await manager.query(`INSERT INTO order_status_history (order_id, from_status, to_status, by, note, action) VALUES ($1, $2, $3, $4, $5, $6)`, [
      orderId, from, to, by, note?.slice(0, 1000) ?? null, action ?? null,
    ]);
  }
}
