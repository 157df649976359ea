import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../common/actor';
import { AppError, type ErrorDetail, ForbiddenError, ValidationError } from '../../common/errors';
import { queryOne, queryRows } from '../../database/sql';
import { SettingsService } from '../../settings/settings.service';
import { IntegrationsService, type OpenedIntegration } from '../integrations.service';
import { IntegrationPushesService } from '../outbound/integration-pushes.service';
import { type ClaimedPush, PermanentPushError, sendSignedRequest } from '../outbound/push-sender';
import {
  signWmsRequest, WMS_CANCEL_TOPIC, WMS_INSTRUCTION_TOPIC, type WmsCancel, type WmsInstruction, wmsPushKey, wmsWarehousesOf,
} from './wms-protocol';

/** 409 wms_handled: staff tried to pick or pack a shipment a WMS works (issue 15 item 5: the screens step aside). */
export class WmsHandledError extends AppError {
  constructor(message: string) {
    super(409, 'wms_handled', message);
  }
}

/** 403 wms_not_its_warehouse: a WMS confirmed a shipment of a warehouse its connector does not run. */
export class WmsNotItsWarehouseError extends AppError {
  constructor(message: string) {
    super(403, 'wms_not_its_warehouse', message);
  }
}

/** The WMS connector an API key answers for. */
export interface WmsCaller {
  integrationId: string;
  name: string;
}

/**
 * `s` (a shipment row alias) is worked by a WMS: handed to it, and its connector still runs the shipment's warehouse.
 * Removing a warehouse from the connector (or deleting the connector) gives its shipments back to the staff's screens.
 */
export const wmsWorksShipment = (alias: string) => `EXISTS (SELECT 1 FROM wms_shipment ws JOIN wms_warehouse ww ON ww.integration_id = ws.integration_id
  AND ww.warehouse_id = ${alias}.warehouse_id WHERE ws.shipment_id = ${alias}.id)`;

interface InstructionRow {
  integrationId: string;
  shipmentId: string;
  shipmentNumber: string;
  orderNumber: string;
  warehouse: string;
  carrier: string | null;
  customerName: string;
  customerPhone: string;
  address: { province: string; city: string; district?: string; line1: string; postalCode?: string; country?: string };
  notes: string | null;
  createdAt: Date;
  lines: WmsInstruction['lines'];
}

/** The shipment's number: its order's number and its place among the order's shipments (SO…-1, SO…-2). */
const SHIPMENT_NUMBER_SQL = `o.number || '-' || (SELECT count(*) FROM shipment x WHERE x.order_id = s.order_id AND (x.created_at, x.id) <= (s.created_at, s.id))`;

/**
 * Issue 15 item 5, the hand-off to a WMS (G5.2: "with a WMS the shipping instruction is passed on automatically"): a
 * shipment allocated to a warehouse a `wms` connector runs is handed to it — its instruction queued in the allocation's
 * transaction (IntegrationPushesService) — and a cancel before it ships is queued the same way. The sender signs each
 * request (wms-protocol.ts). The staff's pick and pack step aside for such shipments; the WMS confirms through /api/wms.
 */
@Injectable()
export class WmsHandOffService implements OnModuleInit {
  constructor(
    private readonly pushes: IntegrationPushesService,
    private readonly integrations: IntegrationsService,
    private readonly settings: SettingsService,
  ) {}

  onModuleInit(): void {
    this.pushes.register('wms', WMS_INSTRUCTION_TOPIC, (connector, push) => this.send(connector, push));
    this.pushes.register('wms', WMS_CANCEL_TOPIC, (connector, push) => this.send(connector, push));
    this.integrations.onSave('wms', (manager, id, settings) => this.linkWarehouses(manager, id, settings));
  }

  /** Shipments just allocated (FulfillmentService.createShipment): each in a warehouse a WMS runs gets its instruction. */
  async handOver(manager: EntityManager, shipmentIds: string[]): Promise<void> {
    if (shipmentIds.length === 0) return;
    const rows = await queryRows<InstructionRow>(
      manager,
      `SELECT ww.integration_id AS "integrationId", s.id AS "shipmentId", ${SHIPMENT_NUMBER_SQL} AS "shipmentNumber", o.number AS "orderNumber",
              w.code AS warehouse, s.carrier, o.customer_name AS "customerName", o.customer_phone AS "customerPhone", o.shipping_address AS address,
              o.notes, s.created_at AS "createdAt",
              coalesce((SELECT json_agg(json_build_object('sku', l.sku, 'name', coalesce(p.name, ''), 'quantity', l.quantity, 'bin', sl.bin) ORDER BY l.sku)
                          FROM shipment_line l LEFT JOIN product p ON p.sku = l.sku LEFT JOIN stock_level sl ON sl.warehouse_id = s.warehouse_id AND sl.sku = l.sku
                         WHERE l.shipment_id = s.id), '[]') AS lines
         FROM shipment s JOIN wms_warehouse ww ON ww.warehouse_id = s.warehouse_id JOIN warehouse w ON w.id = s.warehouse_id
         JOIN customer_order o ON o.id = s.order_id
        WHERE s.id = ANY($1::uuid[]) AND s.status = 'allocated' AND NOT EXISTS (SELECT 1 FROM wms_shipment ws WHERE ws.shipment_id = s.id)
        ORDER BY s.created_at, s.id`,
      [shipmentIds],
    );
    if (rows.length === 0) return;
    const preferredCarrier = (await this.settings.get(manager)).carrierPriority[0] ?? null;
    for (const row of rows) {
      const instruction: WmsInstruction = {
        event: WMS_INSTRUCTION_TOPIC,
        shipmentId: row.shipmentId,
        shipmentNumber: row.shipmentNumber,
        orderNumber: row.orderNumber,
        warehouse: row.warehouse,
        lines: row.lines,
        recipient: { name: row.customerName, phone: row.customerPhone },
        address: {
          province: row.address.province,
          city: row.address.city,
          district: row.address.district ?? null,
          line1: row.address.line1,
          postalCode: row.address.postalCode ?? null,
          country: row.address.country ?? 'CN',
        },
        carrier: row.carrier ?? preferredCarrier,
        notes: row.notes,
        allocatedAt: new Date(row.createdAt).toISOString(),
      };
      await manager.query(`INSERT INTO wms_shipment (shipment_id, integration_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [row.shipmentId, row.integrationId]);
      await this.pushes.enqueue(manager, row.integrationId, { topic: WMS_INSTRUCTION_TOPIC, key: wmsPushKey(row.shipmentId), reference: row.shipmentNumber, payload: { ...instruction } });
    }
  }

  /** Shipments cancelled before they shipped (FulfillmentService): the WMS that had their instruction hears of it. */
  async cancelled(manager: EntityManager, shipmentIds: string[], reason: string): Promise<void> {
    if (shipmentIds.length === 0) return;
    const rows = await queryRows<Omit<WmsCancel, 'event' | 'reason' | 'cancelledAt'> & { integrationId: string }>(
      manager,
      `SELECT ws.integration_id AS "integrationId", s.id AS "shipmentId", ${SHIPMENT_NUMBER_SQL} AS "shipmentNumber", o.number AS "orderNumber", w.code AS warehouse
         FROM wms_shipment ws JOIN shipment s ON s.id = ws.shipment_id JOIN warehouse w ON w.id = s.warehouse_id JOIN customer_order o ON o.id = s.order_id
        WHERE ws.shipment_id = ANY($1::uuid[]) ORDER BY s.created_at, s.id`,
      [shipmentIds],
    );
    for (const { integrationId, ...shipment } of rows) {
      const cancel: WmsCancel = { event: WMS_CANCEL_TOPIC, ...shipment, reason: reason.slice(0, 500), cancelledAt: new Date().toISOString() };
      // coalesced under the instruction's key: sent after the instruction, whatever its retries (wmsPushKey)
      await this.pushes.enqueue(manager, integrationId, { topic: WMS_CANCEL_TOPIC, key: wmsPushKey(shipment.shipmentId), coalesce: true, reference: shipment.shipmentNumber, payload: { ...cancel } });
    }
  }

  /** The WMS working a shipment, if any (the admin's shipment page says so instead of offering pick and pack). */
  async workingWms(manager: EntityManager, shipmentId: string): Promise<WmsCaller | undefined> {
    return queryOne<WmsCaller>(
      manager,
      `SELECT i.id AS "integrationId", i.name FROM shipment s JOIN wms_shipment ws ON ws.shipment_id = s.id
         JOIN wms_warehouse ww ON ww.integration_id = ws.integration_id AND ww.warehouse_id = s.warehouse_id JOIN integration i ON i.id = ws.integration_id
        WHERE s.id = $1`,
      [shipmentId],
    );
  }

  /** Staff pick or pack: refused (409 wms_handled) for a shipment a WMS works. */
  async assertStaffMayWork(manager: EntityManager, shipment: { id: string; orderNumber: string }, action: string): Promise<void> {
    const wms = await this.workingWms(manager, shipment.id);
    if (wms) {
      throw new WmsHandledError(`Shipment ${shipment.id} of order ${shipment.orderNumber} is handled by the WMS ${wms.name}: it is ${action} there and confirmed by the WMS`);
    }
  }

  /** The WMS connector of the warehouse with this code, if a WMS runs it. */
  async runnerOfWarehouse(manager: EntityManager, warehouseCode: string): Promise<WmsCaller | undefined> {
    return queryOne<WmsCaller>(
      manager,
      `SELECT i.id AS "integrationId", i.name FROM warehouse w JOIN wms_warehouse ww ON ww.warehouse_id = w.id JOIN integration i ON i.id = ww.integration_id WHERE w.code = $1`,
      [warehouseCode],
    );
  }

  /** The WMS connector whose settings.apiKeyId is the acting key; anyone else → 403 (these routes are a WMS's). */
  async callerOf(manager: EntityManager, actor: Actor): Promise<WmsCaller> {
    const wms = actor.kind === 'api_key'
      ? await queryOne<WmsCaller>(manager, `SELECT id AS "integrationId", name FROM integration WHERE kind = 'wms' AND settings->>'apiKeyId' = $1`, [actor.id])
      : undefined;
    if (!wms) throw new ForbiddenError('Only a WMS confirms here: with the API key named in its wms connector\'s settings.apiKeyId');
    return wms;
  }

  /** A WMS confirms only shipments of the warehouses its connector runs (403 wms_not_its_warehouse). */
  async assertRunsShipment(manager: EntityManager, wms: WmsCaller, shipment: { id: string; orderNumber: string }): Promise<void> {
    const runs = await queryOne<{ code: string; runs: boolean }>(
      manager,
      `SELECT w.code, EXISTS (SELECT 1 FROM wms_warehouse ww WHERE ww.warehouse_id = s.warehouse_id AND ww.integration_id = $2) AS runs
         FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id WHERE s.id = $1`,
      [shipment.id, wms.integrationId],
    );
    if (!runs?.runs) throw new WmsNotItsWarehouseError(`Shipment ${shipment.id} of order ${shipment.orderNumber} is in warehouse ${runs?.code}, which the WMS ${wms.name} does not run`);
  }

  /** The signed POST of an instruction or a cancel to the connector's endpoint (wms-protocol.ts signWmsRequest). */
  private async send(connector: OpenedIntegration, push: ClaimedPush): Promise<void> {
    const endpoint = connector.settings.endpoint;
    const secret = connector.secrets.signingSecret;
    if (typeof endpoint !== 'string' || !secret) throw new PermanentPushError(`the WMS connector ${connector.name} has no endpoint or signingSecret`);
    await sendSignedRequest(signWmsRequest(endpoint, secret, push.topic, `${push.topic}:${String(push.payload.shipmentId)}`, JSON.stringify(push.payload)));
  }

  /**
   * A WMS connector saved: its warehouses exist and no other WMS runs them, its API key is an active key of the role wms that
   * no other WMS uses (422 per field); wms_warehouse follows the settings, and the shipments waiting to be picked in a
   * warehouse it takes over are handed to it (those already in a staff pick list stay with the staff).
   */
  private async linkWarehouses(manager: EntityManager, integrationId: string, settings: Record<string, unknown>): Promise<void> {
    const codes = wmsWarehousesOf(settings);
    const problems: ErrorDetail[] = [];
    // locked: two connectors saved at once cannot both take a warehouse (or a key)
    const found = await queryRows<{ id: string; code: string }>(manager, `SELECT id, code FROM warehouse WHERE code = ANY($1) ORDER BY id FOR UPDATE`, [codes]);
    const taken = await queryRows<{ code: string; name: string }>(
      manager,
      `SELECT w.code, i.name FROM wms_warehouse ww JOIN warehouse w ON w.id = ww.warehouse_id JOIN integration i ON i.id = ww.integration_id
        WHERE ww.warehouse_id = ANY($1::uuid[]) AND ww.integration_id <> $2`,
      [found.map((warehouse) => warehouse.id), integrationId],
    );
    codes.forEach((code, index) => {
      const other = taken.find((row) => row.code === code);
      if (!found.some((warehouse) => warehouse.code === code)) problems.push({ path: `settings.warehouses[${index}]`, message: `no warehouse has the code ${code}` });
      else if (other) problems.push({ path: `settings.warehouses[${index}]`, message: `${code} is run by the WMS connector ${other.name} already (one WMS per warehouse)` });
    });
    if (typeof settings.apiKeyId === 'string') {
      const key = await queryOne<{ roles: string[]; active: boolean }>(
        manager,
        `SELECT roles, revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AS active FROM api_key WHERE id = $1 FOR UPDATE`,
        [settings.apiKeyId],
      );
      const other = await queryOne<{ name: string }>(manager, `SELECT name FROM integration WHERE kind = 'wms' AND id <> $1 AND settings->>'apiKeyId' = $2`, [integrationId, settings.apiKeyId]);
      if (!key?.active) problems.push({ path: 'settings.apiKeyId', message: 'must be the id of an active API key' });
      else if (!key.roles.includes('wms')) problems.push({ path: 'settings.apiKeyId', message: 'must be a key of the role wms (which may confirm pick, pack and ship and nothing else)' });
      else if (other) problems.push({ path: 'settings.apiKeyId', message: `is the key of the WMS connector ${other.name} already` });
    }
    if (problems.length) throw ValidationError.listing(problems);

    const ids = found.map((warehouse) => warehouse.id);
    await manager.query(`DELETE FROM wms_warehouse WHERE integration_id = $1 AND NOT (warehouse_id = ANY($2::uuid[]))`, [integrationId, ids]);
    const added = await queryRows<{ warehouseId: string }>(
      manager,
      `INSERT INTO wms_warehouse (warehouse_id, integration_id) SELECT id, $1 FROM unnest($2::uuid[]) AS id ON CONFLICT DO NOTHING RETURNING warehouse_id AS "warehouseId"`,
      [integrationId, ids],
    );
    if (added.length === 0) return;
    const waiting = await queryRows<{ id: string }>(
      manager,
      `SELECT s.id FROM shipment s WHERE s.warehouse_id = ANY($1::uuid[]) AND s.status = 'allocated' FOR UPDATE`,
      [added.map((row) => row.warehouseId)],
    );
    await this.handOver(manager, waiting.map((row) => row.id));
  }
}
