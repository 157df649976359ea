import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AllocationService } from '../allocation/allocation.service';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../common/actor';
import { type ErrorDetail, InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { fromCents, normaliseMoney, toCents } from '../common/money';
import { inTransaction, queryOne, queryRows } from '../database/sql';
import { FulfillmentService, isUuid, type ShipmentView } from '../fulfillment/fulfillment.service';
import { InventoryService } from '../inventory/inventory.service';
import type { NotificationEvent } from '../notifications/notification-events';
import { OrderNotifications, shipmentData } from '../orders/order-notifications';
import { OrderShippingService } from '../orders/order-shipping.service';
import type { OrderView } from '../orders/order-view';
import { OrdersService } from '../orders/orders.service';
import { SettingsService } from '../settings/settings.service';
import { WorkflowRuntimeService } from '../workflow/workflow-runtime.service';
import { checkEvidenceImage } from './evidence-image';
import { orderStatusesForCase, CASE_PATHS, CASE_TRANSITIONS, type CaseStatus, type CaseType, OPEN_CASE_STATUSES, slaStepOf } from './case-status';
import type { ApproveCaseDto, InspectCaseDto, OpenCaseDto, ReceiveCaseDto, RefundCaseDto } from './dto/after-sales.dto';

export const AFTER_SALES_WORKFLOW = 'after-sales';

/** What the after-sales diagram hears when a person acts through the API or the admin rather than its tasklist. */
export const CASE_MESSAGES = {
  reviewed: 'CaseReviewed',
  received: 'ReturnReceived',
  inspected: 'CaseInspected',
  refunded: 'CaseRefunded',
  replacementShipped: 'ReplacementShipped',
} as const;

export interface CaseView {
  id: string;
  number: string;
  orderId: string;
  orderNumber: string;
  type: CaseType;
  status: CaseStatus;
  reason: string;
  description: string | null;
  lines: Array<{ sku: string; name: string; quantity: number }>;
  owner: string | null;
  slaDueAt: string | null;
  overdue: boolean;
  escalatedAt: string | null;
  path: { needsReturn: boolean; resolution: 'refund' | 'replacement' };
  receivedWarehouse: string | null;
  inspection: { result: 'pass' | 'fail'; notes: string | null } | null;
  refund: { amount: string; reference: string | null; refundedAt: string } | null;
  /** What can still be refunded on the order: paid minus every refund of its cases. */
  refundable: string;
  replacementShipments: ShipmentView[];
  attachments: Array<{ id: string; fileName: string; contentType: string; sizeBytes: number; uploadedBy: string; createdAt: string }>;
  history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>;
  processInstanceId: string | null;
  openedBy: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CaseFilter {
  status?: string;
  type?: string;
  orderId?: string;
  owner?: string;
  overdue?: string;
}

interface CaseRow {
  id: string;
  number: string;
  order_id: string;
  type: CaseType;
  status: CaseStatus;
  qc_result: 'pass' | 'fail' | null;
  received_warehouse: string | null;
  process_instance_id: string | null;
}

const CASE_VIEW_SQL = `
  SELECT c.id, c.number, c.order_id AS "orderId", o.number AS "orderNumber", c.type, c.status, c.reason, c.description, c.owner,
         c.sla_due_at AS "slaDueAt", (c.sla_due_at IS NOT NULL AND c.sla_due_at < now() AND c.status <> 'closed') AS overdue,
         c.escalated_at AS "escalatedAt", w.code AS "receivedWarehouse", c.qc_result AS "qcResult", c.qc_notes AS "qcNotes",
         c.refund_amount AS "refundAmount", c.refund_reference AS "refundReference", c.refunded_at AS "refundedAt",
         c.process_instance_id AS "processInstanceId", c.opened_by AS "openedBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.closed_at AS "closedAt",
         coalesce((SELECT json_agg(json_build_object('sku', l.sku, 'name', coalesce(p.name, l.sku), 'quantity', l.quantity) ORDER BY l.sku)
                     FROM after_sales_case_line l LEFT JOIN product p ON p.sku = l.sku WHERE l.case_id = c.id), '[]') AS lines
    FROM after_sales_case c JOIN customer_order o ON o.id = c.order_id LEFT JOIN warehouse w ON w.id = c.received_warehouse_id`;

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
const caseReference = (caseId: string) => `case:${caseId}`;

/**
 * G1.6 after-sales: one case model for every type. The service owns every rule and status change (DESIGN "The one idea");
 * workflows/after-sales.bpmn decides the order of the steps and who works them. A person acting through the API tells the
 * diagram with a message (buffered if it is not waiting yet); one completing a tasklist task lets the diagram call the same
 * method here, which then leaves the diagram alone.
 */
@Injectable()
export class AfterSalesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersService,
    private readonly shipping: OrderShippingService,
    private readonly fulfillment: FulfillmentService,
    private readonly inventory: InventoryService,
    private readonly allocation: AllocationService,
    private readonly settings: SettingsService,
    private readonly workflow: WorkflowRuntimeService,
    private readonly notifications: OrderNotifications,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.shipping.onCaseShipmentShipped((manager, shipment, carrier, trackingNumber, actor) => this.shipReplacement(manager, shipment, carrier, trackingNumber, actor));
  }

  /** POST /api/orders/{id}/after-sales: opens a case and starts its process. 409 for the order's status, 422 for quantities or the window. */
  async open(orderIdOrNumber: string, input: OpenCaseDto, actor: Actor): Promise<CaseView> {
    return (await this.openOnce(orderIdOrNumber, input, actor, 0)).view;
  }

  /**
   * Opens a case, unless the same actor opened the same case (type, reason, lines) on the order within `withinSeconds`:
   * then that one is answered (`created: false`). Checked under the order's row lock, so a double submission to two app
   * processes still makes one case (issue 12 item 2: no per-order lock in a process's memory).
   */
  async openOnce(orderIdOrNumber: string, input: OpenCaseDto, actor: Actor, withinSeconds: number): Promise<{ created: boolean; view: CaseView }> {
    const duplicates = input.lines.map((line) => line.sku).filter((sku, index, all) => all.indexOf(sku) !== index);
    if (duplicates.length) throw ValidationError.of('lines', `names ${duplicates[0]} twice; give each SKU once with its quantity`);
    const { id, created } = await this.db.transaction(async (manager) => {
      const order = await this.orders.lockForAfterSales(manager, orderIdOrNumber);
      const earlier = withinSeconds > 0 ? await this.sameRequest(manager, order.id, input, actor, withinSeconds) : undefined;
      if (earlier) return { id: earlier, created: false };
      const allowed = orderStatusesForCase(input.type);
      if (!allowed.includes(order.status)) {
        throw new InvalidStateError(`Order ${order.number} is ${order.status}; a ${input.type} case needs an order that is ${allowed.join(' or ')}`);
      }
      const settings = await this.settings.get(manager);
      this.assertWithinWindow(order, settings.afterSales.windowDays);
      await this.assertQuantities(manager, order, input.lines);
      const [{ seq }] = await manager.query(`SELECT nextval('after_sales_number_seq') AS seq`);
      const number = caseNumber(Number(seq));
      const path = CASE_PATHS[input.type];
      const [row] = await manager.query(
        `INSERT INTO after_sales_case (number, order_id, type, status, reason, description, sla_due_at, opened_by)
         VALUES ($1, $2, $3, 'requested', $4, $5, now() + make_interval(hours => $6), $7) RETURNING id`,
        [number, order.id, input.type, input.reason, input.description ?? null, settings.afterSales.slaHours.review, actor.name],
      );
      await manager.query(`INSERT INTO after_sales_case_line (case_id, sku, quantity) SELECT $1, sku, quantity FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)`, [
        row.id, input.lines.map((line) => line.sku), input.lines.map((line) => line.quantity),
      ]);
      await this.recordHistory(manager, row.id, null, 'requested', actor.name, `${input.type} for order ${order.number}: ${input.reason}`);
      const instanceId = await this.workflow.startInstance(manager, AFTER_SALES_WORKFLOW, number, {
        caseId: row.id, caseNumber: number, caseType: input.type, orderId: order.id, orderNumber: order.number, ...path,
      });
      await manager.query(`UPDATE after_sales_case SET process_instance_id = $2 WHERE id = $1`, [row.id, instanceId]);
      await this.tellCustomer(manager, row.id, 'after-sales-opened');
      return { id: row.id as string, created: true };
    });
    return { created, view: await this.get(id) };
  }

  /** A case the actor opened on the order within the window with the same type, reason and lines (not rejected). */
  private async sameRequest(manager: EntityManager, orderId: string, input: OpenCaseDto, actor: Actor, withinSeconds: number): Promise<string | undefined> {
    const linesKey = (lines: Array<{ sku: string; quantity: number }>) => lines.map((line) => `${line.sku}\u0000${line.quantity}`).sort().join('\u0001');
    const candidates = await queryRows<{ id: string; lines: Array<{ sku: string; quantity: number }> }>(
      manager,
      `SELECT c.id, (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity)), '[]') FROM after_sales_case_line l WHERE l.case_id = c.id) AS lines
         FROM after_sales_case c
        WHERE c.order_id = $1 AND c.opened_by = $2 AND c.type = $3 AND c.reason = $4 AND c.status <> 'rejected'
          AND c.created_at > now() - make_interval(secs => $5)
        ORDER BY c.created_at DESC`,
      [orderId, actor.name, input.type, input.reason, withinSeconds],
    );
    return candidates.find((candidate) => linesKey(candidate.lines) === linesKey(input.lines))?.id;
  }

  async get(idOrNumber: string, manager: EntityManager = this.db.manager): Promise<CaseView> {
    const row = await queryOne<Record<string, unknown>>(manager, `${CASE_VIEW_SQL} WHERE ${isUuid(idOrNumber) ? 'c.id = $1' : 'c.number = $1'}`, [idOrNumber]);
    if (!row) throw new NotFoundError('After-sales case', idOrNumber);
    // one after another: in a transaction (a workflow step's) the queries share one connection, where parallel ones only queue
    const history = await manager.query(`SELECT at, from_status AS "from", to_status AS "to", by, note FROM after_sales_case_history WHERE case_id = $1 ORDER BY id`, [row.id]);
    const attachments = await manager.query(
      `SELECT id, file_name AS "fileName", content_type AS "contentType", size_bytes AS "sizeBytes", uploaded_by AS "uploadedBy", created_at AS "createdAt"
         FROM after_sales_attachment WHERE case_id = $1 ORDER BY created_at, id`,
      [row.id],
    );
    const replacementShipments = await this.fulfillment.replacementShipmentsOf(manager, row.id as string);
    const refundable = await this.refundableOf(manager, row.orderId as string);
    return toCaseView(row, history, attachments, replacementShipments, refundable);
  }

  async list(filter: CaseFilter, offset: number, limit: number): Promise<{ items: CaseView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`c.status = ANY($${params.push(filter.status.split(','))})`);
    if (filter.type) where.push(`c.type = $${params.push(filter.type)}`);
    if (filter.orderId) where.push(isUuid(filter.orderId) ? `c.order_id = $${params.push(filter.orderId)}` : `o.number = $${params.push(filter.orderId)}`);
    if (filter.owner) where.push(`c.owner = $${params.push(filter.owner)}`);
    if (filter.overdue === 'true') where.push(`c.sla_due_at < now() AND c.status <> 'closed'`);
    if (filter.overdue === 'false') where.push(`NOT (c.sla_due_at IS NOT NULL AND c.sla_due_at < now() AND c.status <> 'closed')`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM after_sales_case c JOIN customer_order o ON o.id = c.order_id ${clause}`, params);
    const ids = await queryRows<{ id: string }>(
      this.db,
      `SELECT c.id FROM after_sales_case c JOIN customer_order o ON o.id = c.order_id ${clause} ORDER BY c.created_at DESC, c.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { items: await Promise.all(ids.map(({ id }) => this.get(id))), total };
  }

  /** The process instance running a case's flow (null when none); undefined when there is no such case. */
  async processInstanceOf(caseId: string, manager: EntityManager = this.db.manager): Promise<string | null | undefined> {
    if (!isUuid(caseId)) return undefined;
    const row = await queryOne<{ process_instance_id: string | null }>(manager, `SELECT process_instance_id FROM after_sales_case WHERE id = $1`, [caseId]);
    return row ? row.process_instance_id : undefined;
  }

  /** Customer service accepts the case (API approve, or the review task completed with approved = true). */
  async approve(idOrNumber: string, input: ApproveCaseDto, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status !== 'requested') return;
      this.assertTransition(row, 'approved', 'approved');
      await this.move(manager, row, 'approved', actor, input.note ?? null, { owner: input.owner ?? actor.name });
      await this.tellCustomer(manager, row.id, 'after-sales-approved');
      if (!workflowStep) await this.tell(manager, row, CASE_MESSAGES.reviewed, { approved: true });
    });
  }

  async reject(idOrNumber: string, reason: string, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status !== 'requested') return;
      this.assertTransition(row, 'rejected', 'rejected');
      await this.move(manager, row, 'rejected', actor, reason);
      await this.tellCustomer(manager, row.id, 'after-sales-rejected', reason);
      if (!workflowStep) await this.tell(manager, row, CASE_MESSAGES.reviewed, { approved: false });
    });
  }

  /** The warehouse takes the returned goods in (types that send goods back only). */
  async receive(idOrNumber: string, input: ReceiveCaseDto, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status !== 'approved') return;
      if (!CASE_PATHS[row.type].needsReturn) throw new InvalidStateError(`Case ${row.number} is a ${row.type} case; no goods come back to be received`);
      this.assertTransition(row, 'received', 'received');
      const warehouse = input.warehouse ?? (await this.shippedFrom(manager, row));
      const found = await queryOne<{ id: string }>(manager, `SELECT id FROM warehouse WHERE code = $1`, [warehouse]);
      if (!found) throw ValidationError.of('warehouse', `no warehouse ${warehouse}`);
      await this.move(manager, row, 'received', actor, input.notes ? `at ${warehouse}: ${input.notes}` : `at ${warehouse}`, { received_warehouse_id: found.id });
      if (!workflowStep) await this.tell(manager, row, CASE_MESSAGES.received, {});
    });
  }

  /**
   * QC (G1.6): passed goods go back on hand through the stock ledger (kind `return`); failed goods are quarantined and never
   * restocked.
   */
  async inspect(idOrNumber: string, input: InspectCaseDto, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status !== 'received') return;
      this.assertTransition(row, 'inspected', 'inspected');
      const lines = await queryRows<{ sku: string; quantity: number }>(manager, `SELECT sku, quantity FROM after_sales_case_line WHERE case_id = $1 ORDER BY sku`, [row.id]);
      const note = `QC ${input.result}${input.notes ? `: ${input.notes}` : ''}`;
      if (input.result === 'pass') {
        await this.inventory.returnToStock(manager, row.received_warehouse!, lines, caseReference(row.id), `returned, ${note} (case ${row.number})`, actor.name);
      } else {
        await this.inventory.quarantine(manager, row.received_warehouse!, lines, caseReference(row.id), `${note} (case ${row.number})`, actor.name);
      }
      const restockNote = input.result === 'pass' ? `restocked at ${row.received_warehouse}` : `quarantined at ${row.received_warehouse}, not restocked`;
      await this.move(manager, row, 'inspected', actor, `${note}; ${restockNote}`, { qc_result: input.result, qc_notes: input.notes ?? null }, input.result === 'pass');
      if (!workflowStep) await this.tell(manager, row, CASE_MESSAGES.inspected, { qcPassed: input.result === 'pass' });
    });
  }

  /** Finance refunds: never above what was paid minus what the order's cases were refunded already (422 otherwise). */
  async refund(idOrNumber: string, input: RefundCaseDto, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status === 'refunded') return;
      if (CASE_PATHS[row.type].resolution !== 'refund') throw new InvalidStateError(`Case ${row.number} is a ${row.type} case; it is settled by a replacement, not a refund`);
      this.assertSettleable(row, 'refunded');
      // the order row lock makes concurrent refunds of one order's cases take turns
      const order = await this.orders.lockForAfterSales(manager, row.order_id);
      const refundable = await this.refundableOf(manager, order.id);
      if (toCents(input.amount) <= 0n) throw ValidationError.of('amount', 'must be more than 0.00');
      if (toCents(input.amount) > toCents(refundable)) {
        throw ValidationError.of('amount', `${input.amount} is more than can be refunded on order ${order.number}: ${refundable} (paid minus earlier refunds)`);
      }
      await this.move(manager, row, 'refunded', actor, `refunded ${normaliseMoney(input.amount)}${input.reference ? ` (${input.reference})` : ''}`, {
        refund_amount: input.amount, refund_reference: input.reference ?? null, refunded_at: new Date(),
      });
      // G3.3: money leaving is audited with who decided it (the person who completed the refund task, for the diagram)
      await this.audit.record(
        { actor, action: 'aftersales.refund', target: `after_sales_case:${row.id}`, details: { case: row.number, order: order.number, amount: normaliseMoney(input.amount), reference: input.reference ?? null, viaWorkflow: Boolean(workflowStep) } },
        manager,
      );
      await this.tellCustomer(manager, row.id, 'after-sales-refunded');
      if (!workflowStep) await this.tell(manager, row, CASE_MESSAGES.refunded, {});
    });
  }

  /** Closes the case; a process still running for it ends where it stands. */
  async close(idOrNumber: string, note: string | undefined, actor: Actor, workflowStep?: EntityManager): Promise<CaseView> {
    return this.step(idOrNumber, actor, workflowStep, async (manager, row) => {
      if (workflowStep && row.status === 'closed') return;
      if (row.status === 'inspected' && row.qc_result === 'pass') {
        throw new InvalidStateError(`Case ${row.number} passed QC and waits for its ${CASE_PATHS[row.type].resolution}; it cannot be closed yet`);
      }
      // also from a diagram: no path of the shipped flow closes an approved case, and a changed diagram must not either (issue 11)
      if (row.status === 'approved') throw new InvalidStateError(`Case ${row.number} is approved and being worked; reject it or finish it first`);
      this.assertTransition(row, 'closed', 'closed');
      const replacements = await this.fulfillment.replacementShipmentsOf(manager, row.id);
      if (replacements.some((shipment) => ['allocated', 'picking', 'packed'].includes(shipment.status))) {
        throw new InvalidStateError(`Case ${row.number} has a replacement shipment not yet shipped; ship it first`);
      }
      await this.move(manager, row, 'closed', actor, note ?? null, { closed_at: new Date() });
      if (!workflowStep && row.process_instance_id) await this.workflow.terminateInstance(manager, row.process_instance_id);
    });
  }

  /**
   * The replacement (exchanges, wrong and missing items) reserves stock like an order (no oversell, DESIGN "Data rules") in
   * one warehouse chosen by the allocation strategy, and becomes a shipment that is picked, packed and shipped like any other.
   * Safe to run twice; false when no warehouse has every unit now (the diagram tries again later).
   */
  async reserveReplacement(manager: EntityManager, caseId: string): Promise<{ reserved: boolean; shipmentId?: string }> {
    const row = await this.lock(manager, caseId);
    const existing = (await this.fulfillment.replacementShipmentsOf(manager, row.id)).find((shipment) => shipment.status !== 'cancelled');
    if (existing) return { reserved: true, shipmentId: existing.id };
    if (CASE_PATHS[row.type].resolution !== 'replacement') throw new InvalidStateError(`Case ${row.number} is a ${row.type} case; it gets no replacement`);
    this.assertSettleable(row, 'replacement_shipped');
    const order = await this.orders.get(row.order_id, manager);
    const lines = await queryRows<{ sku: string; quantity: number }>(manager, `SELECT sku, quantity FROM after_sales_case_line WHERE case_id = $1 ORDER BY sku`, [row.id]);
    const settings = await this.settings.get(manager);
    const plan = await this.allocation.allocate(manager, caseReference(row.id), lines, order.shippingAddress, {
      strategy: settings.allocationStrategy,
      partialStockPolicy: 'wait', // a replacement leaves as one parcel
      defaultWarehouse: settings.defaultWarehouse,
    });
    if (plan.parts.length === 0) {
      await this.recordHistory(manager, row.id, row.status, row.status, 'system', `replacement waits for stock: ${plan.summary}`);
      return { reserved: false };
    }
    const [part] = plan.parts;
    const shipmentId = await this.fulfillment.createShipment(manager, row.order_id, part.warehouseId, part.lines, `replacement for case ${row.number}: ${part.reason}`, row.id);
    await this.recordHistory(manager, row.id, row.status, row.status, 'system', `replacement reserved at ${part.warehouseCode} (shipment ${shipmentId})`);
    return { reserved: true, shipmentId };
  }

  /** An overdue step (the diagram's SLA timer): the case is marked escalated and its history says which step is late. */
  async escalate(manager: EntityManager, caseId: string): Promise<boolean> {
    const row = await this.lock(manager, caseId);
    if (row.status === 'closed') return false;
    await manager.query(`UPDATE after_sales_case SET escalated_at = now(), updated_at = now() WHERE id = $1`, [row.id]);
    await this.recordHistory(manager, row.id, row.status, row.status, 'system', `escalated: the ${row.status} step is overdue`);
    return true;
  }

  /** Evidence (G1.6): an image of the goods or the parcel, checked by its bytes, not its name. */
  async addAttachment(idOrNumber: string, file: { originalname: string; buffer: Buffer } | undefined, actor: Actor): Promise<CaseView> {
    if (!file) throw ValidationError.of('file', 'attach an image as the multipart field "file"');
    if (file.buffer.length > MAX_ATTACHMENT_BYTES) throw ValidationError.of('file', `is ${file.buffer.length} bytes; at most ${MAX_ATTACHMENT_BYTES} are accepted`);
    const view = await this.get(idOrNumber);
    const contentType = await checkEvidenceImage(file.buffer);
    // a name is the client's text: control characters (NUL above all) have no place in it
    const fileName = [...uploadedName(file.originalname)].filter((char) => char >= ' ' && char !== '\u007f').join('').slice(0, 200) || 'evidence';
    await this.db.transaction(async (manager) => {
      const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM after_sales_attachment WHERE case_id = $1`, [view.id]);
      if (count >= MAX_ATTACHMENTS) throw new InvalidStateError(`Case ${view.number} has ${count} attachments already, the most a case takes`);
      await manager.query(
        `INSERT INTO after_sales_attachment (case_id, file_name, content_type, size_bytes, sha256, content, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [view.id, fileName, contentType, file.buffer.length, createHash('sha256').update(file.buffer).digest('hex'), file.buffer, actor.name],
      );
      await this.recordHistory(manager, view.id, view.status, view.status, actor.name, `evidence attached: ${fileName}`);
    });
    return this.get(view.id);
  }

  async getAttachment(idOrNumber: string, attachmentId: string): Promise<{ fileName: string; contentType: string; content: Buffer }> {
    const view = await this.get(idOrNumber);
    const row = isUuid(attachmentId)
      ? await queryOne<{ fileName: string; contentType: string; content: Buffer }>(
          this.db,
          `SELECT file_name AS "fileName", content_type AS "contentType", content FROM after_sales_attachment WHERE id = $1 AND case_id = $2`,
          [attachmentId, view.id],
        )
      : undefined;
    if (!row) throw new NotFoundError('Attachment', attachmentId);
    return row;
  }

  /** A replacement shipment handed to the carrier: its stock leaves (outbound) and the case is replacement_shipped. */
  private async shipReplacement(manager: EntityManager, shipment: { id: string; caseId: string }, carrier: string, trackingNumber: string, actor: Actor): Promise<void> {
    const row = await this.lock(manager, shipment.caseId);
    const view = await this.fulfillment.getShipment(shipment.id, manager);
    await this.fulfillment.shipShipments(manager, [shipment.id], carrier, trackingNumber, actor.name);
    await this.inventory.consumeReserved(manager, caseReference(row.id), view.warehouse, view.lines, actor.name);
    if (row.status !== 'replacement_shipped') {
      this.assertTransition(row, 'replacement_shipped', 'marked replacement_shipped');
      await this.move(manager, row, 'replacement_shipped', actor, `replacement shipped: ${carrier} ${trackingNumber}`);
      await this.tellCustomer(manager, row.id, 'replacement-shipped', null, { shipment: shipmentData(carrier, trackingNumber) });
      await this.tell(manager, row, CASE_MESSAGES.replacementShipped, { carrier, trackingNumber });
    }
  }

  /**
   * One action on one case: locked, applied, recorded, in one transaction; answers the case as it is now. A workflow step
   * (`workflowStep`, its transaction) applies a decision its diagram took: it does nothing when the case moved on already,
   * and tells no process (it is the process).
   */
  private async step(idOrNumber: string, actor: Actor, workflowStep: EntityManager | undefined, apply: (manager: EntityManager, row: CaseRow) => Promise<void>): Promise<CaseView> {
    const id = await inTransaction(this.db, workflowStep, async (manager) => {
      const row = await this.lock(manager, idOrNumber);
      await apply(manager, row);
      return row.id;
    });
    return this.get(id, workflowStep);
  }

  private async lock(manager: EntityManager, idOrNumber: string): Promise<CaseRow> {
    const row = await queryOne<CaseRow>(
      manager,
      `SELECT c.id, c.number, c.order_id, c.type, c.status, c.qc_result, w.code AS received_warehouse, c.process_instance_id
         FROM after_sales_case c LEFT JOIN warehouse w ON w.id = c.received_warehouse_id
        WHERE ${isUuid(idOrNumber) ? 'c.id = $1' : 'c.number = $1'} FOR UPDATE OF c`,
      [idOrNumber],
    );
    if (!row) throw new NotFoundError('After-sales case', idOrNumber);
    return row;
  }

  private assertTransition(row: CaseRow, to: CaseStatus, action: string): void {
    if (CASE_TRANSITIONS[row.status].includes(to)) return;
    const from = (Object.keys(CASE_TRANSITIONS) as CaseStatus[]).filter((status) => CASE_TRANSITIONS[status].includes(to));
    throw new InvalidStateError(`Case ${row.number} is ${row.status}; only ${from.join(' or ')} cases can be ${action}`);
  }

  /** Refund or replacement: after approval when nothing comes back, after a passed QC when it does. */
  private assertSettleable(row: CaseRow, to: 'refunded' | 'replacement_shipped'): void {
    const path = CASE_PATHS[row.type];
    const ready = path.needsReturn ? row.status === 'inspected' && row.qc_result === 'pass' : row.status === 'approved';
    if (ready) return;
    const needed = path.needsReturn ? 'inspected with QC passed' : 'approved';
    throw new InvalidStateError(`Case ${row.number} is ${row.status}${row.qc_result === 'fail' ? ' (QC failed)' : ''}; a ${row.type} case is ${to === 'refunded' ? 'refunded' : 'replaced'} once ${needed}`);
  }

  /** The guarded status change (CASE_TRANSITIONS), its history row, the next step's SLA, and any columns it sets. */
  private async move(manager: EntityManager, row: CaseRow, to: CaseStatus, actor: Actor, note: string | null, columns: Record<string, unknown> = {}, qcPassed?: boolean): Promise<void> {
    const step = slaStepOf(to, CASE_PATHS[row.type], qcPassed ?? row.qc_result === 'pass');
    const hours = step ? (await this.settings.get(manager)).afterSales.slaHours[step] : null;
    const names = Object.keys(columns);
    await manager.query(
      `UPDATE after_sales_case SET status = $2, sla_due_at = CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(hours => $3::int) END,
              escalated_at = NULL, updated_at = now()${names.map((name, index) => `, ${name} = $${index + 4}`).join('')}
        WHERE id = $1`,
      [row.id, to, hours, ...names.map((name) => columns[name])],
    );
    await this.recordHistory(manager, row.id, row.status, to, actor.name, note);
    row.status = to;
  }

  private async recordHistory(manager: EntityManager, caseId: string, from: string | null, to: string, by: string, note: string | null): Promise<void> {
    await manager.query(`INSERT INTO after_sales_case_history (case_id, from_status, to_status, by, note) VALUES ($1, $2, $3, $4, $5)`, [
      caseId, from, to, by, note?.slice(0, 2000) ?? null,
    ]);
  }

  /** Tells the customer (G3.2 "after-sales steps, refund") in the transaction of the step, once per case and event. */
  private async tellCustomer(manager: EntityManager, caseId: string, event: NotificationEvent, note: string | null = null, extras: { shipment?: ReturnType<typeof shipmentData> } = {}): Promise<void> {
    const row = await queryOne<{ order_id: string; number: string; type: string; status: string; reason: string; refund_amount: string | null; lines: Array<{ sku: string; name: string; quantity: number }> }>(
      manager,
      `SELECT c.order_id, c.number, c.type, c.status, c.reason, c.refund_amount,
              coalesce((SELECT json_agg(json_build_object('sku', l.sku, 'name', coalesce(p.name, l.sku), 'quantity', l.quantity) ORDER BY l.sku)
                          FROM after_sales_case_line l LEFT JOIN product p ON p.sku = l.sku WHERE l.case_id = c.id), '[]') AS lines
         FROM after_sales_case c WHERE c.id = $1`,
      [caseId],
    );
    if (!row) return;
    const caseData = { number: row.number, type: row.type, status: row.status, reason: row.reason, lines: row.lines, refundAmount: normaliseMoney(row.refund_amount), note };
    await this.notifications.send(manager, row.order_id, event, { case: caseData, ...extras }, `case:${caseId}`);
  }

  /** Tells the case's process what a person did outside its tasklist (buffered until the process waits for it). */
  private async tell(manager: EntityManager, row: CaseRow, message: string, payload: Record<string, unknown>): Promise<void> {
    await this.workflow.correlateMessage(manager, message, row.number, payload);
  }

  /** Paid minus every refund already made on the order's cases. */
  private async refundableOf(manager: EntityManager, orderId: string): Promise<string> {
    const row = await queryOne<{ paid: string | null; refunded: string }>(
      manager,
      `SELECT CASE WHEN o.payment_status = 'paid' THEN coalesce(o.payment_amount, o.grand_total) ELSE 0 END AS paid,
              coalesce((SELECT sum(refund_amount) FROM after_sales_case WHERE order_id = o.id), 0) AS refunded
         FROM customer_order o WHERE o.id = $1`,
      [orderId],
    );
    const left = toCents(normaliseMoney(row?.paid ?? '0')!) - toCents(normaliseMoney(row?.refunded ?? '0')!);
    return fromCents(left > 0n ? left : 0n);
  }

  /** The warehouse the case's goods left from (their first shipment of the order that carried one of its SKUs). */
  private async shippedFrom(manager: EntityManager, row: CaseRow): Promise<string> {
    const found = await queryOne<{ code: string }>(
      manager,
      `SELECT w.code FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id JOIN shipment_line l ON l.shipment_id = s.id
        WHERE s.order_id = $1 AND s.after_sales_case_id IS NULL AND s.shipped_at IS NOT NULL
          AND l.sku IN (SELECT sku FROM after_sales_case_line WHERE case_id = $2)
        ORDER BY s.shipped_at, s.id LIMIT 1`,
      [row.order_id, row.id],
    );
    if (!found) throw ValidationError.of('warehouse', `case ${row.number}: name the warehouse that receives the goods`);
    return found.code;
  }

  /** The after-sales window (a setting): counted from delivery, or from shipment when no delivery was reported. */
  private assertWithinWindow(order: OrderView, windowDays: number): void {
    const since = [...order.history].reverse().find((entry) => entry.to === 'delivered') ?? order.history.find((entry) => entry.to === 'shipped' || entry.to === 'partially_shipped');
    if (!since) return;
    const closes = Date.parse(since.at) + windowDays * 86_400_000;
    if (Date.now() > closes) {
      throw ValidationError.of('orderId', `order ${order.number} was ${since.to} on ${since.at.slice(0, 10)}; the after-sales window of ${windowDays} days closed on ${new Date(closes).toISOString().slice(0, 10)}`);
    }
  }

  /** A case takes at most what was shipped of each SKU minus what earlier cases (not rejected) took already. */
  private async assertQuantities(manager: EntityManager, order: OrderView, lines: Array<{ sku: string; quantity: number }>): Promise<void> {
    const taken = await queryRows<{ sku: string; quantity: number }>(
      manager,
      `SELECT l.sku, sum(l.quantity)::int AS quantity FROM after_sales_case_line l JOIN after_sales_case c ON c.id = l.case_id
        WHERE c.order_id = $1 AND c.status <> 'rejected' GROUP BY l.sku`,
      [order.id],
    );
    const problems: ErrorDetail[] = [];
    for (const [index, line] of lines.entries()) {
      const shipped = order.lines.filter((orderLine) => orderLine.sku === line.sku).reduce((total, orderLine) => total + orderLine.shipped, 0);
      const earlier = taken.find((row) => row.sku === line.sku)?.quantity ?? 0;
      if (!order.lines.some((orderLine) => orderLine.sku === line.sku)) problems.push({ path: `lines[${index}].sku`, message: `order ${order.number} has no line of ${line.sku}` });
      else if (line.quantity > shipped - earlier) {
        problems.push({ path: `lines[${index}].quantity`, message: `${line.quantity} of ${line.sku} is more than the ${Math.max(0, shipped - earlier)} left (${shipped} shipped, ${earlier} in earlier cases)` });
      }
    }
    if (problems.length) throw new ValidationError(`The case has ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`, problems);
  }
}

/**
 * The name a browser sent, as it meant it: multipart parsing reads the UTF-8 bytes of a name as latin1, so a phone's
 * "破损.jpg" arrives as "ç ´æ.jpg". A name that is not valid UTF-8 that way is kept as it came.
 */
function uploadedName(name: string): string {
  if ([...name].some((char) => char.charCodeAt(0) > 0xff)) return name;
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? name : decoded;
}

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const MAX_ATTACHMENTS = 10;

/** AS + yyMMdd + a six-digit sequence, like order numbers. */
export function caseNumber(sequence: number, now = new Date()): string {
  return `AS${now.toISOString().slice(2, 10).replace(/-/g, '')}${String(sequence).padStart(6, '0')}`;
}

function toCaseView(row: Record<string, unknown>, history: Array<Record<string, unknown>>, attachments: Array<Record<string, unknown>>, replacementShipments: ShipmentView[], refundable: string): CaseView {
  const type = row.type as CaseType;
  return {
    id: row.id as string,
    number: row.number as string,
    orderId: row.orderId as string,
    orderNumber: row.orderNumber as string,
    type,
    status: row.status as CaseStatus,
    reason: row.reason as string,
    description: (row.description as string | null) ?? null,
    lines: row.lines as CaseView['lines'],
    owner: (row.owner as string | null) ?? null,
    slaDueAt: iso(row.slaDueAt),
    overdue: Boolean(row.overdue) && OPEN_CASE_STATUSES.includes(row.status as CaseStatus),
    escalatedAt: iso(row.escalatedAt),
    path: CASE_PATHS[type],
    receivedWarehouse: (row.receivedWarehouse as string | null) ?? null,
    inspection: row.qcResult ? { result: row.qcResult as 'pass' | 'fail', notes: (row.qcNotes as string | null) ?? null } : null,
    refund: row.refundAmount ? { amount: normaliseMoney(row.refundAmount as string)!, reference: (row.refundReference as string | null) ?? null, refundedAt: iso(row.refundedAt)! } : null,
    refundable,
    replacementShipments,
    attachments: attachments.map((a) => ({ ...(a as CaseView['attachments'][number]), createdAt: iso(a.createdAt)! })),
    history: history.map((h) => ({ at: iso(h.at)!, from: (h.from as string | null) ?? null, to: h.to as string, by: h.by as string, note: (h.note as string | null) ?? null })),
    processInstanceId: (row.processInstanceId as string | null) ?? null,
    openedBy: row.openedBy as string,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    closedAt: iso(row.closedAt),
  };
}

