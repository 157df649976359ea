import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidStateError, NotFoundError, ValidationError } from '../common/errors';
import { queryOne, queryRows } from '../database/sql';
import { WmsHandledError, WmsHandOffService, wmsWorksShipment } from '../integrations/wms/wms-hand-off.service';
import { FulfillmentService, isUuid } from './fulfillment.service';
import { type PickLine, PickListBuilder } from './pick-list-builder';

export const DEFAULT_SHIPMENTS_PER_WAVE = 20;

export interface PickListView {
  id: string;
  number: string;
  warehouse: string;
  status: 'open' | 'picked';
  createdBy: string;
  createdAt: string;
  pickedBy: string | null;
  pickedAt: string | null;
  shipments: Array<{ id: string; orderId: string; orderNumber: string; status: string }>;
  lines: PickLine[];
}

/** G1.4: pick lists are waves of a warehouse's allocated shipments, one line per SKU in walking order of the bins. */
@Injectable()
export class PickListService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly fulfillment: FulfillmentService,
    private readonly wms: WmsHandOffService,
  ) {}

  async create(warehouseCode: string, maxShipments: number = DEFAULT_SHIPMENTS_PER_WAVE, by: string): Promise<PickListView> {
    const id = await this.db.transaction(async (manager) => {
      const warehouse = await queryOne<{ id: string }>(manager, `SELECT id FROM warehouse WHERE code = $1`, [warehouseCode]);
      if (!warehouse) throw ValidationError.of('warehouse', `warehouse ${warehouseCode} does not exist`);
      // SKIP LOCKED: two pickers creating waves at once get different shipments, never the same one twice
      const parcels = await queryRows<{ id: string }>(
        manager,
        `SELECT id FROM shipment s WHERE warehouse_id = $1 AND status = 'allocated' AND merged_into IS NULL AND NOT ${wmsWorksShipment('s')}
          ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [warehouse.id, maxShipments],
      );
      if (parcels.length === 0) {
        // issue 15 item 5: a warehouse a WMS runs is picked in the WMS
        const wms = await this.wms.runnerOfWarehouse(manager, warehouseCode);
        if (wms) throw new WmsHandledError(`Warehouse ${warehouseCode} is run by the WMS ${wms.name}: its shipments are picked there and confirmed by the WMS`);
        throw new InvalidStateError(`There are no shipments waiting to be picked in ${warehouseCode}`);
      }
      // a merged parcel is picked whole: the shipments merged into each lead come along
      const merged = await queryRows<{ id: string }>(manager, `SELECT id FROM shipment WHERE merged_into = ANY($1::uuid[]) AND status = 'allocated' ORDER BY created_at, id FOR UPDATE`, [
        parcels.map((parcel) => parcel.id),
      ]);
      const shipmentIds = [...parcels, ...merged].map((shipment) => shipment.id);
      const lines = await queryRows<{ sku: string; quantity: number }>(manager, `SELECT sku, quantity FROM shipment_line WHERE shipment_id = ANY($1)`, [shipmentIds]);
      const skus = [...new Set(lines.map((line) => line.sku))];
      const bins = new Map(
        (await queryRows<{ sku: string; bin: string | null }>(manager, `SELECT sku, bin FROM stock_level WHERE warehouse_id = $1 AND sku = ANY($2)`, [warehouse.id, skus]))
          .map((row) => [row.sku, row.bin]),
      );
      const names = new Map(
        (await queryRows<{ sku: string; name: string }>(manager, `SELECT sku, name FROM product WHERE sku = ANY($1)`, [skus])).map((row) => [row.sku, row.name]),
      );
      const pickLines = new PickListBuilder((sku) => bins.get(sku) ?? null, (sku) => names.get(sku) ?? '').add(lines).build();

      const [{ seq }] = await manager.query(`SELECT nextval('pick_list_number_seq') AS seq`);
      const pickList = await queryOne<{ id: string }>(
        manager,
        `INSERT INTO pick_list (number, warehouse_id, created_by) VALUES ($1, $2, $3) RETURNING id`,
        [pickListNumber(Number(seq)), warehouse.id, by],
      );
      const pickListId = pickList!.id;
      for (const [index, line] of pickLines.entries()) {
        await manager.query(`INSERT INTO pick_list_line (pick_list_id, line_no, bin, sku, name, quantity) VALUES ($1, $2, $3, $4, $5, $6)`, [
          pickListId, index + 1, line.bin, line.sku, line.name.slice(0, 200), line.quantity,
        ]);
      }
      await manager.query(`UPDATE shipment SET status = 'picking', pick_list_id = $2, updated_at = now() WHERE id = ANY($1)`, [shipmentIds, pickListId]);
      await this.fulfillment.recordHistory(manager, shipmentIds, 'allocated', 'picking', by, `pick list ${pickListNumber(Number(seq))}`);
      return pickListId;
    });
    return this.get(id);
  }

  /**
   * Active warehouses with how many parcels wait to be picked in each (a merged parcel counts once), preferred first; a
   * warehouse a WMS runs is picked in the WMS, so it is not offered (issue 15 item 5).
   */
  async waitingToPick(): Promise<Array<{ code: string; name: string; shipments: number }>> {
    return queryRows(
      this.db,
      `SELECT w.code, w.name, count(s.id)::int AS shipments
         FROM warehouse w LEFT JOIN shipment s ON s.warehouse_id = w.id AND s.status = 'allocated' AND s.merged_into IS NULL AND NOT ${wmsWorksShipment('s')}
        WHERE w.active AND NOT EXISTS (SELECT 1 FROM wms_warehouse ww WHERE ww.warehouse_id = w.id) GROUP BY w.id ORDER BY w.priority, w.code`,
    );
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<PickListView> {
    if (!isUuid(id)) throw new NotFoundError('Pick list', id);
    const pickList = await queryOne<Omit<PickListView, 'shipments' | 'lines'>>(
      manager,
      `SELECT p.id, p.number, w.code AS warehouse, p.status, p.created_by AS "createdBy", p.created_at AS "createdAt",
              p.picked_by AS "pickedBy", p.picked_at AS "pickedAt"
         FROM pick_list p JOIN warehouse w ON w.id = p.warehouse_id WHERE p.id = $1`,
      [id],
    );
    if (!pickList) throw new NotFoundError('Pick list', id);
    const [shipments, lines] = await Promise.all([
      queryRows<PickListView['shipments'][number]>(
        manager,
        `SELECT s.id, s.order_id AS "orderId", o.number AS "orderNumber", s.status
           FROM shipment s JOIN customer_order o ON o.id = s.order_id WHERE s.pick_list_id = $1 ORDER BY s.created_at, s.id`,
        [id],
      ),
      queryRows<PickLine>(manager, `SELECT bin, sku, name, quantity FROM pick_list_line WHERE pick_list_id = $1 ORDER BY line_no`, [id]),
    ]);
    return { ...pickList, shipments, lines };
  }

  /** Pick confirmation: the goods are at the packing bench; the shipments stay `picking` until each is packed. */
  async confirm(id: string, by: string): Promise<PickListView> {
    if (!isUuid(id)) throw new NotFoundError('Pick list', id);
    await this.db.transaction(async (manager) => {
      const pickList = await queryOne<{ number: string; status: string }>(manager, `SELECT number, status FROM pick_list WHERE id = $1 FOR UPDATE`, [id]);
      if (!pickList) throw new NotFoundError('Pick list', id);
      if (pickList.status !== 'open') throw new InvalidStateError(`Pick list ${pickList.number} is ${pickList.status}; only open pick lists can be confirmed`);
      await manager.query(`UPDATE pick_list SET status = 'picked', picked_by = $2, picked_at = now() WHERE id = $1`, [id, by]);
    });
    return this.get(id);
  }
}

/** PL + yyMMdd + a six-digit sequence, like order numbers: short enough to read out on the warehouse floor. */
export function pickListNumber(sequence: number, now = new Date()): string {
  return `PL${now.toISOString().slice(2, 10).replace(/-/g, '')}${String(sequence).padStart(6, '0')}`;
}
