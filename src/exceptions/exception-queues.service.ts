import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { RolesService } from '../auth/roles.service';
import { UsersService } from '../auth/users.service';
import type { Actor } from '../common/actor';
import { InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { queryRows } from '../database/sql';
import type { OrderFlag, ShippingAddress, StockShortage } from '../orders/order.entity';
import { OrderNotifications } from '../orders/order-notifications';
import type { OrderStatus } from '../orders/order-status';
import type { Settings } from '../settings/settings.schema';
import { SettingsService } from '../settings/settings.service';
import { trackingUrlOf } from '../tracking/carriers/carriers';
import { EXCEPTION_KINDS, type ExceptionKind, type ExceptionReason, isExceptionKind, ITEM_REF, QUEUE_ITEMS_SQL } from './exception-queue';

/** What an operator can do about an item in place (the resolving services are the API's: orders, allocation, tracking). */
export type ExceptionAction = 'contact' | 'paymentRequest' | 'recordPayment' | 'amend' | 'approve' | 'allocate' | 'restockDate' | 'cancel' | 'resolveAlert';

const ACTIONS: Record<ExceptionReason, ExceptionAction[]> = {
  unpaid_overdue: ['contact', 'paymentRequest', 'recordPayment', 'cancel'],
  amount_short: ['contact', 'paymentRequest', 'amend', 'approve', 'cancel'],
  address_incomplete: ['contact', 'amend', 'cancel'],
  outside_delivery_area: ['contact', 'amend', 'cancel'],
  carrier_address: ['contact', 'resolveAlert'],
  awaiting_stock: ['contact', 'restockDate', 'allocate', 'cancel'],
  backorder: ['contact', 'restockDate', 'allocate', 'cancel'],
  held_short: ['contact', 'restockDate', 'amend', 'cancel'],
  stale_tracking: ['contact'],
  delivery_exception: ['contact', 'resolveAlert'],
};

export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'im', 'carrier', 'other'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
/** How a payment request sent from the queue is recorded among the contacts. */
const PAYMENT_REQUEST_CHANNEL = 'payment_request';

export interface ExceptionQueueCount {
  kind: ExceptionKind;
  count: number;
  /** Past their SLA due time. */
  overdue: number;
  /** Without an owner (负责人). */
  unassigned: number;
}

export interface ExceptionItemView {
  kind: ExceptionKind;
  /** The order's id, or the logistics alert's id (`stale:<shipment id>` for stale tracking). */
  ref: string;
  reasons: ExceptionReason[];
  message: string | null;
  order: { id: string; number: string; status: OrderStatus; customerName: string; customerPhone: string; grandTotal: string; paymentAmount: string | null; shippingAddress: ShippingAddress };
  shipment: { id: string; carrier: string | null; trackingNumber: string | null; trackingUrl: string | null } | null;
  /** The stock queue: the SKU most short, by how many units, every short SKU, and the restock date when someone noted one. */
  stock: { sku: string | null; shortfall: number | null; shortages: StockShortage[]; restockExpectedOn: string | null } | null;
  owner: { id: string; name: string } | null;
  assignedAt: string | null;
  enteredAt: string;
  ageMinutes: number;
  slaDueAt: string;
  overdue: boolean;
  contacts: number;
  lastContact: { at: string; by: string; channel: string; note: string } | null;
  actions: ExceptionAction[];
}

export interface ExceptionListFilter {
  /** `me`, `none` (unassigned) or a user id. */
  owner?: string;
  reason?: string;
}

interface ItemRow {
  kind: ExceptionKind; reasons: ExceptionReason[]; ref: string; order_id: string; shipment_id: string | null; entered_at: Date; message: string | null;
  number: string; status: OrderStatus; customer_name: string; customer_phone: string; grand_total: string; payment_amount: string | null;
  flags: OrderFlag[]; shipping_address: ShippingAddress; carrier: string | null; tracking_number: string | null;
  owner_id: string | null; owner_name: string | null; assigned_at: Date | null; restock_expected_on: string | null;
  contact_at: Date | null; contact_by: string | null; contact_channel: string | null; contact_note: string | null; contacts: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

/**
 * G2.6 exception work queues: what is in each (computed, see exception-queue.ts), with its owner (负责人), age, SLA due time
 * (settings `alertThresholds`) and the contacts noted. Resolving an item is the business service's work (amend, payment,
 * allocation, cancel, resolve alert); this service owns only the people's side: ownership, contacts, payment requests and
 * the expected restock date.
 */
@Injectable()
export class ExceptionQueuesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SettingsService,
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly notifications: OrderNotifications,
  ) {}

  /** Each queue's size, overdue and unassigned items (the dashboard's and the queue page's counts). */
  async counts(): Promise<ExceptionQueueCount[]> {
    const { alertThresholds } = await this.settings.get();
    const rows = await queryRows<{ kind: ExceptionKind; count: number; overdue: number; unassigned: number }>(
      this.db,
      `WITH items AS (${QUEUE_ITEMS_SQL})
       SELECT i.kind, count(*)::int AS count,
              count(*) FILTER (WHERE i.entered_at + make_interval(hours => (($3::jsonb) ->> i.kind)::int) < now())::int AS overdue,
              count(*) FILTER (WHERE w.owner_id IS NULL)::int AS unassigned
         FROM items i LEFT JOIN exception_work w ON w.kind = i.kind AND w.ref = i.ref
        GROUP BY i.kind`,
      [alertThresholds.unpaidMinutes, alertThresholds.staleTrackingHours, JSON.stringify(alertThresholds.exceptionSlaHours)],
    );
    return EXCEPTION_KINDS.map((kind) => rows.find((row) => row.kind === kind) ?? { kind, count: 0, overdue: 0, unassigned: 0 });
  }

  /** One queue's items, the longest waiting first (the order an SLA is worked in). */
  async list(kind: string, filter: ExceptionListFilter, offset: number, limit: number, actor: Actor): Promise<{ items: ExceptionItemView[]; total: number }> {
    const queue = kindOf(kind);
    const owner = filter.owner === 'me' ? actor.id : filter.owner;
    if (owner !== undefined && owner !== 'none' && !UUID.test(owner)) throw ValidationError.of('owner', 'must be me, none or a user id');
    return this.read(this.db.manager, queue, { owner, reason: filter.reason }, offset, limit);
  }

  /** One item of a queue; 404 when it is not (or no longer) in it. */
  async item(kind: string, ref: string, manager: EntityManager = this.db.manager): Promise<ExceptionItemView> {
    const queue = kindOf(kind);
    if (!ITEM_REF.test(ref)) throw new NotFoundError(`Item of the ${queue} queue`, ref);
    const { items } = await this.read(manager, queue, { ref }, 0, 1);
    if (items.length === 0) throw new NotFoundError(`Item of the ${queue} queue`, ref);
    return items[0];
  }

  /** Gives the item to a user who may work orders (orders.write), or to nobody (`null`). */
  async assign(kind: string, ref: string, ownerId: string | null, actor: Actor): Promise<ExceptionItemView> {
    return this.db.transaction(async (manager) => {
      const item = await this.item(kind, ref, manager);
      if (ownerId === null) {
        await manager.query(`UPDATE exception_work SET owner_id = NULL, owner_name = NULL, assigned_at = now(), assigned_by = $3 WHERE kind = $1 AND ref = $2`, [item.kind, item.ref, actor.name]);
        return this.item(kind, ref, manager);
      }
      const owner = await this.users.get(ownerId, manager).catch((error: unknown) => {
        throw error instanceof NotFoundError ? ValidationError.of('owner', `there is no user ${ownerId}`) : error;
      });
      if (owner.disabled) throw ValidationError.of('owner', `${owner.email} is disabled`);
      const permissions = await this.roles.permissionsOf(manager, owner.roles);
      if (!permissions.includes('*') && !permissions.includes('orders.write')) throw ValidationError.of('owner', `${owner.email} may not work orders (orders.write)`);
      await this.setOwner(manager, item, { id: owner.id, name: owner.name || owner.email }, actor);
      return this.item(kind, ref, manager);
    });
  }

  /** The signed-in user takes the item (认领); one owned by someone else must be reassigned instead (409). */
  async claim(kind: string, ref: string, actor: Actor): Promise<ExceptionItemView> {
    if (actor.kind !== 'user') throw new InvalidStateError('Only a user can own an exception; an API key may assign it to one');
    return this.db.transaction(async (manager) => {
      const item = await this.item(kind, ref, manager);
      await manager.query(`SELECT 1 FROM customer_order WHERE id = $1 FOR UPDATE`, [item.order.id]); // one claim at a time per order
      const current = (await this.item(kind, ref, manager)).owner;
      if (current && current.id !== actor.id) throw new InvalidStateError(`${current.name} owns this exception already; ask them or a lead to reassign it`);
      const me = await this.users.get(actor.id, manager);
      await this.setOwner(manager, item, { id: me.id, name: me.name || me.email }, actor);
      return this.item(kind, ref, manager);
    });
  }

  /** "Contact noted" (G2.6: check with the customer, confirm the address, ask the carrier): kept with the item. */
  async noteContact(kind: string, ref: string, contact: { channel: ContactChannel; note: string }, actor: Actor): Promise<ExceptionItemView> {
    return this.db.transaction(async (manager) => {
      const item = await this.item(kind, ref, manager);
      await this.recordContact(manager, item, contact.channel, contact.note, actor);
      return this.item(kind, ref, manager);
    });
  }

  /** G2.6 "ask to pay again": the customer is sent a payment request (outbox), recorded among the item's contacts. */
  async requestPayment(ref: string, actor: Actor): Promise<ExceptionItemView> {
    return this.db.transaction(async (manager) => {
      const item = await this.item('payment', ref, manager);
      const [{ sent }] = await manager.query(`SELECT count(*)::int AS sent FROM exception_contact WHERE kind = 'payment' AND ref = $1 AND channel = $2`, [item.ref, PAYMENT_REQUEST_CHANNEL]);
      // one message per request: the outbox keeps one per subject, so each request is its own subject
      const queued = await this.notifications.send(manager, item.order.id, 'payment-reminder', {}, `${item.order.id}:payment-request:${sent + 1}`);
      if (queued === 0) throw new InvalidStateError(`Order ${item.order.number}: no payment request could be sent (the customer has no email or mobile for it, or the event is turned off in the settings)`);
      await this.recordContact(manager, item, PAYMENT_REQUEST_CHANNEL, `payment request sent (${item.reasons.join(', ')})`, actor);
      return this.item('payment', ref, manager);
    });
  }

  /** The stock queue's "restock date if known": when the missing goods are expected (null: not known). */
  async setRestockDate(ref: string, date: string | null, actor: Actor): Promise<ExceptionItemView> {
    return this.db.transaction(async (manager) => {
      const item = await this.item('stock', ref, manager);
      await manager.query(
        `INSERT INTO exception_work (kind, ref, order_id, restock_expected_on) VALUES ('stock', $1, $2, $3)
         ON CONFLICT (kind, ref) DO UPDATE SET restock_expected_on = excluded.restock_expected_on`,
        [item.ref, item.order.id, date],
      );
      await this.recordContact(manager, item, 'other', date ? `restock expected on ${date}` : 'restock date cleared', actor);
      return this.item('stock', ref, manager);
    });
  }

  private async setOwner(manager: EntityManager, item: ExceptionItemView, owner: { id: string; name: string }, actor: Actor): Promise<void> {
    await manager.query(
      `INSERT INTO exception_work (kind, ref, order_id, owner_id, owner_name, assigned_at, assigned_by) VALUES ($1, $2, $3, $4, $5, now(), $6)
       ON CONFLICT (kind, ref) DO UPDATE SET owner_id = excluded.owner_id, owner_name = excluded.owner_name, assigned_at = now(), assigned_by = excluded.assigned_by`,
      [item.kind, item.ref, item.order.id, owner.id, owner.name, actor.name],
    );
  }

  private async recordContact(manager: EntityManager, item: ExceptionItemView, channel: string, note: string, actor: Actor): Promise<void> {
    await manager.query(`INSERT INTO exception_contact (kind, ref, order_id, channel, note, by) VALUES ($1, $2, $3, $4, $5, $6)`, [item.kind, item.ref, item.order.id, channel, note, actor.name]);
  }

  private async read(
    manager: EntityManager,
    kind: ExceptionKind,
    where: { ref?: string; owner?: string; reason?: string },
    offset: number,
    limit: number,
  ): Promise<{ items: ExceptionItemView[]; total: number }> {
    const { alertThresholds } = await this.settings.get(manager);
    const params = [alertThresholds.unpaidMinutes, alertThresholds.staleTrackingHours, kind, where.ref ?? null, where.owner ?? null, where.reason ?? null];
    const filter = `i.kind = $3 AND ($4::text IS NULL OR i.ref = $4) AND ($6::text IS NULL OR $6 = ANY(i.reasons))
                AND ($5::text IS NULL OR ($5 = 'none' AND w.owner_id IS NULL) OR w.owner_id::text = $5)`;
    const from = `FROM items i LEFT JOIN exception_work w ON w.kind = i.kind AND w.ref = i.ref`;
    const [{ total }] = await manager.query(`WITH items AS (${QUEUE_ITEMS_SQL}) SELECT count(*)::int AS total ${from} WHERE ${filter}`, params);
    const rows = await queryRows<ItemRow>(
      manager,
      `WITH items AS (${QUEUE_ITEMS_SQL})
       SELECT i.kind, i.reasons, i.ref, i.order_id, i.shipment_id, i.entered_at, i.message,
              o.number, o.status, o.customer_name, o.customer_phone, o.grand_total, o.payment_amount, o.flags, o.shipping_address,
              s.carrier, s.tracking_number, w.owner_id, w.owner_name, w.assigned_at, w.restock_expected_on::text AS restock_expected_on,
              c.at AS contact_at, c.by AS contact_by, c.channel AS contact_channel, c.note AS contact_note,
              (SELECT count(*)::int FROM exception_contact x WHERE x.kind = i.kind AND x.ref = i.ref) AS contacts
         ${from}
         JOIN customer_order o ON o.id = i.order_id
         LEFT JOIN shipment s ON s.id = i.shipment_id
         LEFT JOIN LATERAL (SELECT x.at, x.by, x.channel, x.note FROM exception_contact x WHERE x.kind = i.kind AND x.ref = i.ref ORDER BY x.at DESC LIMIT 1) c ON true
        WHERE ${filter}
        ORDER BY i.entered_at, i.ref LIMIT $7 OFFSET $8`,
      [...params, limit, offset],
    );
    return { items: rows.map((row) => this.view(row, alertThresholds)), total };
  }

  private view(row: ItemRow, thresholds: Settings['alertThresholds']): ExceptionItemView {
    const entered = new Date(row.entered_at);
    const due = new Date(entered.getTime() + thresholds.exceptionSlaHours[row.kind] * 3_600_000);
    const shortage = row.kind === 'stock' ? row.flags.find((flag) => flag.code === 'out_of_stock') : undefined;
    return {
      kind: row.kind,
      ref: row.ref,
      reasons: row.reasons,
      message: row.message,
      order: {
        id: row.order_id, number: row.number, status: row.status, customerName: row.customer_name, customerPhone: row.customer_phone,
        grandTotal: row.grand_total, paymentAmount: row.payment_amount, shippingAddress: row.shipping_address,
      },
      shipment: row.shipment_id ? { id: row.shipment_id, carrier: row.carrier, trackingNumber: row.tracking_number, trackingUrl: trackingUrlOf(row.carrier, row.tracking_number) } : null,
      stock: row.kind === 'stock' ? { sku: shortage?.sku ?? null, shortfall: shortage?.shortfall ?? null, shortages: shortage?.shortages ?? [], restockExpectedOn: row.restock_expected_on } : null,
      owner: row.owner_id ? { id: row.owner_id, name: row.owner_name ?? '' } : null,
      assignedAt: iso(row.assigned_at),
      enteredAt: entered.toISOString(),
      ageMinutes: Math.max(0, Math.floor((Date.now() - entered.getTime()) / 60_000)),
      slaDueAt: due.toISOString(),
      overdue: due.getTime() < Date.now(),
      contacts: row.contacts,
      lastContact: row.contact_at ? { at: iso(row.contact_at)!, by: row.contact_by!, channel: row.contact_channel!, note: row.contact_note! } : null,
      actions: [...new Set(row.reasons.flatMap((reason) => ACTIONS[reason]))],
    };
  }
}

function kindOf(kind: string): ExceptionKind {
  if (!isExceptionKind(kind)) throw new NotFoundError('Exception queue', kind);
  return kind;
}
