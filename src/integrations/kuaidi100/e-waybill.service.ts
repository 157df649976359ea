import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { queryOne, queryRows } from '../../database/sql';
import type { WaybillState } from '../../fulfillment/carrier-hooks';
import { ShipmentDocumentsService } from '../../fulfillment/documents/shipment-documents.service';
import { formatAddress } from '../../fulfillment/documents/shipment-document-data';
import { FulfillmentService, isUuid, type PackedShipment } from '../../fulfillment/fulfillment.service';
import { SettingsService } from '../../settings/settings.service';
import { IntegrationsService, type OpenedIntegration } from '../integrations.service';
import { buildKuaidi100LabelRequest, readKuaidi100LabelAnswer } from '../providers/kuaidi100';
import {
  apiBaseUrlOf, eWaybillCarriersOf, eWaybillConfigOf, Kuaidi100ConfigError, kuaidi100SettingsOf, LEASE_SECONDS, sendToKuaidi100,
} from './kuaidi100-connector';
import { raiseCarrierAlert, retrySeconds } from './carrier-work';

/** The system_alert kind of an e-waybill given up on. */
export const WAYBILL_DEAD_ALERT = 'carrier_waybill_dead';

/** How long the worker leaves a new waybill to the packer's own request (made right after the pack commits). */
const PACKER_FIRST_SECONDS = 30;

interface WaybillRow {
  shipment_id: string;
  integration_id: string;
  carrier: string;
  order_ref: string;
  status: WaybillState['status'];
  attempts: number;
  tracking_number: string | null;
  last_error: string | null;
}

/**
 * E-waybills (电子面单, G1.4 "prints the shipping label from the carrier's label system", issue 15 item 4): packing a parcel
 * whose carrier has an e-waybill on the kuaidi100 connector writes a carrier_waybill row in the pack's transaction; right
 * after the commit the packer's request asks Kuaidi100's label API for the number (never inside a transaction). When the
 * carrier's service is down the packing stands, the packer is told, the worker retries with backoff (and a person may
 * retry at once: POST /api/shipments/{id}/waybill); the number then goes on the shipment, and the label PDF prints it.
 * One request at a time per parcel (a lease) and the same orderId on every try; an issued waybill is never asked again.
 */
@Injectable()
export class EWaybillService {
  private readonly logger = new Logger('EWaybill');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrations: IntegrationsService,
    private readonly fulfillment: FulfillmentService,
    private readonly documents: ShipmentDocumentsService,
    private readonly settings: SettingsService,
  ) {}

  /**
   * In the pack's transaction: the parcel's carrier (its own, else the first of the settings' carrier priority that an
   * active kuaidi100 connector has an e-waybill for) and a waybill row; nothing when no e-waybill applies.
   */
  async packed(manager: EntityManager, shipmentId: string): Promise<void> {
    const shipment = await queryOne<{ carrier: string | null; tracking_number: string | null; number: string }>(
      manager, `SELECT s.carrier, s.tracking_number, o.number FROM shipment s JOIN customer_order o ON o.id = s.order_id WHERE s.id = $1`, [shipmentId]);
    if (!shipment || shipment.tracking_number) return;
    const connectors = await queryRows<{ id: string; settings: Record<string, unknown> }>(
      manager, `SELECT id, settings FROM integration WHERE kind = 'kuaidi100' AND status = 'active' ORDER BY created_at`);
    const offered = connectors.flatMap((connector) => eWaybillCarriersOf(connector.settings).map((carrier) => ({ carrier, connector: connector.id })));
    const priority = shipment.carrier ? [shipment.carrier] : (await this.settings.get(manager)).carrierPriority;
    const chosen = priority.map((carrier) => offered.find((offer) => offer.carrier === carrier)).find(Boolean);
    if (!chosen) return;
    const inserted = await queryRows(
      manager,
      `INSERT INTO carrier_waybill (shipment_id, integration_id, carrier, order_ref, next_attempt_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (shipment_id) DO NOTHING RETURNING shipment_id`,
      [shipmentId, chosen.connector, chosen.carrier, `${shipment.number}-${shipmentId.slice(0, 8)}`, PACKER_FIRST_SECONDS],
    );
    if (inserted.length === 0) await manager.query(`UPDATE carrier_waybill SET next_attempt_at = now() WHERE shipment_id = $1 AND status = 'pending'`, [shipmentId]);
  }

  /** The packer's request, right after packing (or a retry): asks Kuaidi100 now unless another request is under way. */
  async issueNow(shipmentId: string): Promise<WaybillState | null> {
    const claimed = await this.claim(`shipment_id = $2`, [shipmentId]);
    if (claimed) await this.issue(claimed);
    return this.state(shipmentId);
  }

  /** The worker: the next waybill due (the packer's request failed, or never ran). */
  async runNext(): Promise<boolean> {
    const claimed = await this.claim(`shipment_id = (SELECT shipment_id FROM carrier_waybill WHERE status = 'pending' AND next_attempt_at <= now()
      AND (locked_until IS NULL OR locked_until < now()) ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)`, []);
    if (!claimed) return false;
    await this.issue(claimed);
    return true;
  }

  /**
   * POST /api/shipments/{id}/waybill: a person asks again (the carrier's service is back). A waybill given up on starts
   * its tries again; an issued one is answered as it is, never requested twice; a packed parcel without one gets one.
   */
  async retry(shipmentId: string): Promise<PackedShipment & { waybill: WaybillState }> {
    if (!isUuid(shipmentId)) throw new NotFoundError('Shipment', shipmentId);
    await this.db.transaction(async (manager) => {
      const shipment = await this.fulfillment.lockShipment(manager, shipmentId);
      // only a parcel still in the warehouse: one handed over (under another number) keeps what it has
      if (shipment.status !== 'packed') return;
      await manager.query(`UPDATE carrier_waybill SET status = 'pending', attempts = 0, last_error = NULL WHERE shipment_id = $1 AND status = 'failed'`, [shipmentId]);
      const [row] = await manager.query(`SELECT 1 FROM carrier_waybill WHERE shipment_id = $1`, [shipmentId]);
      if (!row) await this.packed(manager, shipmentId);
    });
    const waybill = await this.issueNow(shipmentId);
    if (!waybill) throw new InvalidStateError(`Shipment ${shipmentId} has no e-waybill: pack it first, with a kuaidi100 connector that has an e-waybill for its carrier`);
    return { ...(await this.fulfillment.getShipment(shipmentId)), waybill };
  }

  async state(shipmentId: string): Promise<WaybillState | null> {
    const row = await queryOne<WaybillRow>(this.db, `SELECT * FROM carrier_waybill WHERE shipment_id = $1`, [shipmentId]);
    if (!row) return null;
    const reason = row.last_error ? ` (${row.last_error})` : '';
    const retry = `POST /api/shipments/${shipmentId}/waybill`;
    const message = row.status === 'issued'
      ? `E-waybill ${row.carrier} ${row.tracking_number} issued: print the label`
      : row.status === 'failed'
        ? `The ${row.carrier} e-waybill could not be obtained after ${row.attempts} attempt(s)${reason}: the packing is saved; check the Kuaidi100 connector, then ask again (${retry})`
        : `The ${row.carrier} e-waybill is not issued yet${reason}: the packing is saved and it is retried automatically; print the label once the number is in (or ask again: ${retry})`;
    return { status: row.status, carrier: row.carrier, trackingNumber: row.tracking_number, message, attempts: row.attempts, lastError: row.last_error };
  }

  /** Takes the waybill for one request (the lease outlasts the call's timeout, so no other process asks meanwhile). */
  private claim(where: string, params: unknown[]): Promise<WaybillRow | undefined> {
    return queryOne<WaybillRow>(
      this.db,
      `UPDATE carrier_waybill SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
        WHERE ${where} AND status = 'pending' AND (locked_until IS NULL OR locked_until < now())
        RETURNING shipment_id, integration_id, carrier, order_ref, status, attempts, tracking_number, last_error`,
      [LEASE_SECONDS, ...params],
    );
  }

  private async issue(row: WaybillRow): Promise<void> {
    let connector: OpenedIntegration | null = null;
    try {
      connector = await this.integrations.open(row.integration_id);
      if (connector.paused) throw new Error(`the connector ${connector.name} is paused`);
      const config = eWaybillConfigOf(connector, row.carrier);
      if (!config) throw new Kuaidi100ConfigError(`connector ${connector.name} has no e-waybill (settings.eWaybills.${row.carrier}.tempId) for ${row.carrier} any more`);
      if (!connector.secrets.secret) throw new Kuaidi100ConfigError(`connector ${connector.name} has no secret "secret": Kuaidi100's e-waybill API signs with it`);
      if (!config.sender.mobile) throw new Kuaidi100ConfigError(`connector ${connector.name} has no settings.sender.mobile: the e-waybill needs the sender's phone`);
      const data = await this.documents.load(row.shipment_id);
      const request = buildKuaidi100LabelRequest({
        carrier: row.carrier,
        recipient: { name: data.order.customer.name, mobile: data.order.customer.phone, printAddr: formatAddress(data.order.address) },
        sender: {
          name: config.sender.name ?? data.shop.name,
          mobile: config.sender.mobile,
          printAddr: config.sender.printAddr ?? [data.warehouse.province, data.warehouse.city === data.warehouse.province ? '' : data.warehouse.city, data.warehouse.name].filter(Boolean).join(' '),
        },
        cargo: config.cargo ?? data.shipment.lines[0]?.name ?? '商品',
        count: 1,
        account: config.account,
        tempId: config.tempId,
        expType: config.expType,
        payType: config.payType,
        orderId: row.order_ref,
      }, kuaidi100SettingsOf(connector, this.integrations.webhookUrl(connector.kind, connector.id)!));
      const answer = readKuaidi100LabelAnswer(await sendToKuaidi100(request, apiBaseUrlOf(connector)));
      if (!answer.ok) throw new Error(answer.reason);
      await this.issued(row, answer.value);
      await this.integrations.noteResult(connector.id, null);
    } catch (error) {
      await this.failed(row, connector, error);
    }
  }

  /** The number on the waybill row and on the parcel (its merged shipments too), unless it was shipped otherwise meanwhile. */
  private async issued(row: WaybillRow, waybill: { trackingNumber: string; labelUrl: string | null; taskId: string | null }): Promise<void> {
    await this.db.transaction(async (manager) => {
      const taken = await queryRows(
        manager,
        `UPDATE carrier_waybill SET status = 'issued', tracking_number = $2, label_url = $3, task_id = $4, issued_at = now(), locked_until = NULL, last_error = NULL
          WHERE shipment_id = $1 AND status = 'pending' RETURNING shipment_id`,
        [row.shipment_id, waybill.trackingNumber.slice(0, 60), waybill.labelUrl?.slice(0, 1000) ?? null, waybill.taskId?.slice(0, 100) ?? null],
      );
      if (taken.length === 0) return;
      const labelled = await queryRows<{ id: string }>(
        manager,
        `UPDATE shipment SET carrier = $2, tracking_number = $3, updated_at = now()
          WHERE (id = $1 OR merged_into = $1) AND status = 'packed' AND tracking_number IS NULL RETURNING id`,
        [row.shipment_id, row.carrier, waybill.trackingNumber.slice(0, 60)],
      );
      await this.fulfillment.recordHistory(manager, labelled.map((shipment) => shipment.id), 'packed', 'packed', 'kuaidi100', `e-waybill ${row.carrier} ${waybill.trackingNumber}`);
    });
  }

  private async failed(row: WaybillRow, connector: OpenedIntegration | null, error: unknown): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const dead = error instanceof Kuaidi100ConfigError || row.attempts >= this.config.CARRIER_MAX_ATTEMPTS;
    this.logger.warn(`e-waybill of shipment ${row.shipment_id} (${row.carrier}) attempt ${row.attempts} failed${dead ? ' (giving up)' : ''}: ${reason}`);
    await this.db.query(
      `UPDATE carrier_waybill SET status = CASE WHEN $3 THEN 'failed' ELSE status END, last_error = $2, locked_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4)
        WHERE shipment_id = $1 AND status = 'pending'`,
      [row.shipment_id, reason, dead, retrySeconds(this.config, row.attempts)],
    );
    if (!dead) return;
    const message = `The ${row.carrier} e-waybill of shipment ${row.shipment_id} (${row.order_ref}) was given up after ${row.attempts} attempt(s): ${reason}`;
    await raiseCarrierAlert(this.db, WAYBILL_DEAD_ALERT, `shipment:${row.shipment_id}`, message);
    if (connector) await this.integrations.noteResult(connector.id, message);
  }
}
