import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, ConflictError, InvalidStateError, isOutOfRange, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import { normaliseMoney } from '../common/money';
import { queryOne, queryRows } from '../database/sql';
import { StockAnnouncements, type StockIncreasedListener } from './stock-announcements';
import type { CreateWarehouseDto, InventoryQuery } from './dto/inventory.dto';
import type { StockMovementKind } from './stock-movement.entity';
import { Warehouse } from './warehouse.entity';

export interface StockLevelView {
  warehouse: string;
  sku: string;
  bin: string | null;
  onHand: number;
  reserved: number;
  available: number;
}

/** A level as the admin's stock list shows it. */
export interface StockLevelSearchRow extends StockLevelView {
  id: string;
  productName: string | null;
}

export interface WarehouseView {
  id: string;
  code: string;
  name: string;
  province: string;
  city: string;
  priority: number;
  costPerShipment: string | null;
  isVirtual: boolean;
}

export interface StockRequest {
  sku: string;
  quantity: number;
}

/** Not enough available units: the reservation as a whole did not happen. */
export class InsufficientStockError extends AppError {
  constructor(readonly sku: string, readonly warehouseId: string) {
    super(409, 'invalid_state', `Not enough available stock of ${sku}`);
  }
}

/** A warehouse with what it has available (on hand − reserved) per sku of a stock read. */
export interface WarehouseStock {
  id: string;
  code: string;
  priority: number;
  province: string;
  city: string;
  costPerShipment: string | null;
  active: boolean;
  available: Record<string, number>;
}

export interface StockRead {
  skus: string;
  warehouses: WarehouseStock[];
}

interface MovementBalance {
  on_hand: number;
  reserved: number;
}


const LEVEL_VIEW_SQL = `
  SELECT w.code AS warehouse, l.sku, l.bin, l.on_hand AS "onHand", l.reserved, l.on_hand - l.reserved AS available
    FROM stock_level l JOIN warehouse w ON w.id = l.warehouse_id`;

export const toWarehouseView = (w: Warehouse): WarehouseView => ({
  id: w.id,
  code: w.code,
  name: w.name,
  province: w.province,
  city: w.city,
  priority: w.priority,
  costPerShipment: normaliseMoney(w.costPerShipment),
  isVirtual: w.isVirtual,
});

/**
 * Warehouses, stock levels, the stock ledger and reservations (DESIGN "Data rules"): every change is one
 * conditional UPDATE plus its ledger row, so available stock cannot go below zero whatever runs at once.
 */
@Injectable()
export class InventoryService {
  private readonly logger = new Logger('Inventory');
  private readonly stockReads = new WeakMap<EntityManager, StockRead>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly announcements: StockAnnouncements,
  ) {}

  /** Orders waiting for stock subscribe here (every process); inventory itself knows nothing of orders. */
  onStockIncreased(listener: StockIncreasedListener): void {
    this.announcements.subscribe(listener);
  }

  async createWarehouse(input: CreateWarehouseDto): Promise<WarehouseView> {
    const repository = this.db.getRepository(Warehouse);
    try {
      const saved = await repository.save(
        repository.create({
          code: input.code,
          name: input.name,
          province: input.province,
          city: input.city,
          priority: input.priority,
          costPerShipment: input.costPerShipment ?? null,
          isVirtual: input.isVirtual ?? false,
        }),
      );
      return toWarehouseView(await repository.findOneByOrFail({ id: saved.id }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A warehouse with code ${input.code} already exists`);
      throw error;
    }
  }

  async listWarehouses(): Promise<WarehouseView[]> {
    const warehouses = await this.db.getRepository(Warehouse).find({ order: { priority: 'ASC', code: 'ASC' } });
    return warehouses.map(toWarehouseView);
  }

  async activeWarehouses(manager: EntityManager = this.db.manager): Promise<Warehouse[]> {
    return manager.getRepository(Warehouse).find({ where: { active: true }, order: { priority: 'ASC', code: 'ASC' } });
  }

  private async requireWarehouse(manager: EntityManager, code: string): Promise<Warehouse> {
    const warehouse = await manager.getRepository(Warehouse).findOneBy({ code });
    if (!warehouse) throw new NotFoundError('Warehouse', code);
    return warehouse;
  }

  private async requireProduct(manager: EntityManager, sku: string): Promise<void> {
    const [product] = await manager.query(`SELECT 1 FROM product WHERE sku = $1`, [sku]);
    if (!product) throw new NotFoundError('Product', sku);
  }

  async getLevel(warehouseCode: string, sku: string, manager: EntityManager = this.db.manager): Promise<StockLevelView> {
    const [level] = await manager.query(`${LEVEL_VIEW_SQL} WHERE w.code = $1 AND l.sku = $2`, [warehouseCode, sku]);
    if (!level) throw new NotFoundError('Stock level', `${warehouseCode}/${sku}`);
    return level;
  }

  async listLevels(query: InventoryQuery, offset: number, limit: number): Promise<{ items: StockLevelView[]; total: number }> {
    const { items, total } = await this.searchLevels(query, offset, limit);
    return { items: items.map(({ id: _id, productName: _name, ...level }) => level), total };
  }

  /**
   * The stock list as GET /api/inventory filters it (sku, warehouse code, `q` in the sku or the product's name) and by
   * warehouse id (the admin's filter), each level with its row id and its product's name (G2.3: looked up by either).
   */
  async searchLevels(query: InventoryQuery & { warehouseId?: string; bin?: string }, offset: number, limit: number): Promise<{ items: StockLevelSearchRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.sku) where.push(`l.sku = $${params.push(query.sku)}`);
    if (query.warehouse) where.push(`w.code = $${params.push(query.warehouse)}`);
    if (query.warehouseId) where.push(`w.id::text = $${params.push(query.warehouseId)}`);
    if (query.bin) where.push(`l.bin ILIKE $${params.push(`${query.bin.replace(/[%_\\]/g, '\\$&')}%`)}`);
    if (query.q) {
      const pattern = `%${query.q.replace(/[%_\\]/g, '\\$&')}%`;
      where.push(`(l.sku ILIKE $${params.push(pattern)} OR p.name ILIKE $${params.length})`);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const from = `FROM stock_level l JOIN warehouse w ON w.id = l.warehouse_id LEFT JOIN product p ON p.sku = l.sku ${filter}`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total ${from}`, params);
    const items = await this.db.query(
      `SELECT l.id, w.code AS warehouse, l.sku, p.name AS "productName", l.bin, l.on_hand AS "onHand", l.reserved, l.on_hand - l.reserved AS available
         ${from} ORDER BY l.sku, w.priority, w.code LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { items, total };
  }

  /** A product's stock in every warehouse holding a level of it (the product page), in allocation order. */
  async levelsOfSku(sku: string): Promise<Array<StockLevelView & { warehouseName: string }>> {
    return this.db.query(
      `SELECT w.code AS warehouse, w.name AS "warehouseName", l.sku, l.bin, l.on_hand AS "onHand", l.reserved, l.on_hand - l.reserved AS available
         FROM stock_level l JOIN warehouse w ON w.id = l.warehouse_id WHERE l.sku = $1 ORDER BY w.priority, w.code`,
      [sku],
    );
  }

  /** Product names by sku (skus without a product are left out). */
  async productNames(skus: string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ sku: string; name: string }>(this.db, `SELECT sku, name FROM product WHERE sku = ANY($1)`, [skus]);
    return new Map(rows.map((row) => [row.sku, row.name]));
  }

  /** The row id of a level (the admin shows the level it changed). */
  async levelId(warehouseCode: string, sku: string): Promise<string | undefined> {
    const row = await queryOne<{ id: string }>(this.db, `SELECT l.id FROM stock_level l JOIN warehouse w ON w.id = l.warehouse_id WHERE w.code = $1 AND l.sku = $2`, [warehouseCode, sku]);
    return row?.id;
  }

  /** A stock count: sets on-hand to what was counted (PUT /api/inventory/{warehouse}/{sku}). */
  async setLevel(warehouseCode: string, sku: string, onHand: number, bin: string | undefined, actor: string): Promise<StockLevelView> {
    return this.db.transaction(async (manager) => {
      const warehouse = await this.requireWarehouse(manager, warehouseCode);
      await this.requireProduct(manager, sku);
      await manager.query(
        `INSERT INTO stock_level (warehouse_id, sku, bin, on_hand) VALUES ($1, $2, $3, 0) ON CONFLICT (warehouse_id, sku) DO NOTHING`,
        [warehouse.id, sku, bin ?? null],
      );
      const [before] = await manager.query(`SELECT on_hand FROM stock_level WHERE warehouse_id = $1 AND sku = $2 FOR UPDATE`, [warehouse.id, sku]);
      const delta = onHand - before.on_hand;
      const after = await queryOne<MovementBalance>(
        manager,
        `UPDATE stock_level SET on_hand = $3, bin = COALESCE($4, bin), updated_at = now()
          WHERE warehouse_id = $1 AND sku = $2 AND reserved <= $3 RETURNING on_hand, reserved`,
        [warehouse.id, sku, onHand, bin ?? null],
      );
      if (!after) {
        const level = await this.getLevel(warehouseCode, sku, manager);
        throw new InvalidStateError(`${sku} in ${warehouseCode} has ${level.reserved} units reserved; on-hand cannot be set to ${onHand}`);
      }
      if (delta !== 0) await this.recordMovement(manager, warehouse.id, sku, 'count', delta, 0, after, null, `stock count`, actor);
      if (delta > 0) await this.announcements.announce(manager, [sku]);
      return this.getLevel(warehouseCode, sku, manager);
    });
  }

  /** Receipts (positive delta) and write-offs (negative); never below what is reserved. */
  async adjust(warehouseCode: string, sku: string, delta: number, reason: string, actor: string): Promise<StockLevelView> {
    return this.db.transaction(async (manager) => {
      const warehouse = await this.requireWarehouse(manager, warehouseCode);
      await this.requireProduct(manager, sku);
      if (delta > 0) {
        await manager.query(
          `INSERT INTO stock_level (warehouse_id, sku, on_hand) VALUES ($1, $2, 0) ON CONFLICT (warehouse_id, sku) DO NOTHING`,
          [warehouse.id, sku],
        );
      }
      const after = await queryOne<MovementBalance>(
        manager,
        `UPDATE stock_level SET on_hand = on_hand + $3, updated_at = now()
          WHERE warehouse_id = $1 AND sku = $2 AND on_hand + $3 >= reserved RETURNING on_hand, reserved`,
        [warehouse.id, sku, delta],
      );
      if (!after) {
        const [level] = await manager.query(`${LEVEL_VIEW_SQL} WHERE w.code = $1 AND l.sku = $2`, [warehouseCode, sku]);
        throw new InvalidStateError(
          level
            ? `${sku} in ${warehouseCode} has ${level.onHand} on hand and ${level.reserved} reserved; removing ${-delta} is not possible`
            : `${sku} has no stock in ${warehouseCode} to remove`,
        );
      }
      await this.recordMovement(manager, warehouse.id, sku, delta > 0 ? 'receipt' : 'adjustment', delta, 0, after, null, reason, actor);
      if (delta > 0) await this.announcements.announce(manager, [sku]);
      return this.getLevel(warehouseCode, sku, manager);
    }).catch((error: unknown) => {
      if (isOutOfRange(error)) throw new ValidationError(`${sku} in ${warehouseCode} cannot hold that many units`, [{ path: 'delta', message: 'would take on-hand beyond 2147483647 units' }]);
      throw error;
    });
  }

  /**
   * Reserves every request in one warehouse, all or nothing, in ONE statement (issue 12 item 4): the stock levels are locked
   * in sku order (two orders for the same skus never deadlock), and only when every sku has enough available are they raised,
   * with a reservation and a ledger movement per sku. Not enough of a sku → InsufficientStockError and nothing changed.
   */
  async reserve(manager: EntityManager, warehouseId: string, reference: string, requests: StockRequest[]): Promise<void> {
    const wanted = mergeBySku(requests).sort((a, b) => a.sku.localeCompare(b.sku));
    const result = await queryOne<{ short_sku: string | null }>(
      manager,
      `WITH wanted AS (
         SELECT w.sku, w.quantity FROM unnest($2::text[], $3::int[]) AS w(sku, quantity)
       ), locked AS (
         SELECT l.sku, l.on_hand - l.reserved AS available FROM stock_level l JOIN wanted w ON w.sku = l.sku
          WHERE l.warehouse_id = $1 ORDER BY l.sku FOR UPDATE OF l
       ), short AS (
         SELECT w.sku FROM wanted w LEFT JOIN locked l ON l.sku = w.sku WHERE coalesce(l.available, 0) < w.quantity ORDER BY w.sku LIMIT 1
       ), raised AS (
         UPDATE stock_level l SET reserved = l.reserved + w.quantity, updated_at = now()
           FROM wanted w WHERE l.warehouse_id = $1 AND l.sku = w.sku AND NOT EXISTS (SELECT 1 FROM short)
         RETURNING l.sku, w.quantity, l.on_hand, l.reserved
       ), reservations AS (
         INSERT INTO stock_reservation (warehouse_id, sku, quantity, reference) SELECT $1, r.sku, r.quantity, $4 FROM raised r
       ), movements AS (
         INSERT INTO stock_movement (warehouse_id, sku, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference)
         SELECT $1, r.sku, 'reservation', 0, r.quantity, r.on_hand, r.reserved, $4 FROM raised r
       )
       SELECT (SELECT sku FROM short) AS short_sku`,
      [warehouseId, wanted.map((request) => request.sku), wanted.map((request) => request.quantity), reference],
    );
    if (result?.short_sku) throw new InsufficientStockError(result.short_sku, warehouseId);
  }

  /** Releases every active reservation of a reference (an order cancelled before shipment). */
  async releaseReservations(manager: EntityManager, reference: string, actor: string, reason: string): Promise<number> {
    const reservations = await queryRows<{ id: string; warehouse_id: string; sku: string; quantity: number }>(
      manager,
      `UPDATE stock_reservation SET status = 'released', updated_at = now()
        WHERE reference = $1 AND status = 'active' RETURNING id, warehouse_id, sku, quantity`,
      [reference],
    );
    const skus: string[] = [];
    for (const reservation of reservations.sort((a, b) => a.sku.localeCompare(b.sku))) {
      const after = await queryOne<MovementBalance>(
        manager,
        `UPDATE stock_level SET reserved = reserved - $3, updated_at = now() WHERE warehouse_id = $1 AND sku = $2 RETURNING on_hand, reserved`,
        [reservation.warehouse_id, reservation.sku, reservation.quantity],
      );
      await this.recordMovement(manager, reservation.warehouse_id, reservation.sku, 'release', 0, -reservation.quantity, after, reference, reason, actor);
      skus.push(reservation.sku);
    }
    // with the release: orders waiting for these skus get them once it commits, whichever process works it (issue 12)
    await this.announcements.announce(manager, skus);
    return reservations.length;
  }

  /**
   * Outbound (G1.4): the given units of a reference's reservations in one warehouse leave it when their parcel ships (on-hand
   * and reserved both drop). Reservations are used oldest first; one only partly used is split into the part that left and
   * the part still held, so a partial shipment leaves the rest reserved. Asking for more than is reserved is a bug: it throws.
   */
  async consumeReserved(manager: EntityManager, reference: string, warehouseCode: string, lines: StockRequest[], actor: string): Promise<void> {
    const { id: warehouseId } = await this.requireWarehouse(manager, warehouseCode);
    for (const { sku, quantity } of [...lines].sort((a, b) => a.sku.localeCompare(b.sku))) {
      let left = quantity;
      const reservations = await queryRows<{ id: string; quantity: number }>(
        manager,
        `SELECT id, quantity FROM stock_reservation WHERE reference = $1 AND warehouse_id = $2 AND sku = $3 AND status = 'active' ORDER BY created_at, id FOR UPDATE`,
        [reference, warehouseId, sku],
      );
      for (const reservation of reservations) {
        if (left === 0) break;
        const used = Math.min(left, reservation.quantity);
        if (used === reservation.quantity) {
          await manager.query(`UPDATE stock_reservation SET status = 'consumed', updated_at = now() WHERE id = $1`, [reservation.id]);
        } else {
          await manager.query(`UPDATE stock_reservation SET quantity = quantity - $2, updated_at = now() WHERE id = $1`, [reservation.id, used]);
          await manager.query(`INSERT INTO stock_reservation (warehouse_id, sku, quantity, reference, status) VALUES ($1, $2, $3, $4, 'consumed')`, [
            warehouseId, sku, used, reference,
          ]);
        }
        left -= used;
      }
      if (left > 0) throw new Error(`${reference} holds ${quantity - left} of ${sku} in ${warehouseCode}, not the ${quantity} shipping`);
      const after = await queryOne<MovementBalance>(
        manager,
        `UPDATE stock_level SET on_hand = on_hand - $3, reserved = reserved - $3, updated_at = now()
          WHERE warehouse_id = $1 AND sku = $2 RETURNING on_hand, reserved`,
        [warehouseId, sku, quantity],
      );
      await this.recordMovement(manager, warehouseId, sku, 'outbound', -quantity, -quantity, after, reference, 'shipped', actor);
    }
  }

  /**
   * G1.6: returned units that passed QC go back on hand in the caller's transaction (ledger kind `return`), announced with
   * it, so that orders waiting for these skus get them once it commits.
   */
  async returnToStock(manager: EntityManager, warehouseCode: string, lines: StockRequest[], reference: string, reason: string, actor: string): Promise<void> {
    const warehouse = await this.requireWarehouse(manager, warehouseCode);
    for (const { sku, quantity } of [...lines].sort((a, b) => a.sku.localeCompare(b.sku))) {
      const after = await queryOne<MovementBalance>(
        manager,
        `INSERT INTO stock_level (warehouse_id, sku, on_hand) VALUES ($1, $2, $3)
         ON CONFLICT (warehouse_id, sku) DO UPDATE SET on_hand = stock_level.on_hand + EXCLUDED.on_hand, updated_at = now()
         RETURNING on_hand, reserved`,
        [warehouse.id, sku, quantity],
      );
      await this.recordMovement(manager, warehouse.id, sku, 'return', quantity, 0, after, reference, reason, actor);
    }
    await this.announcements.announce(manager, lines.map((line) => line.sku));
  }

  /** G1.6: returned units that failed QC are set aside: recorded, never on hand, so nothing can reserve or ship them. */
  async quarantine(manager: EntityManager, warehouseCode: string, lines: StockRequest[], reference: string, reason: string, actor: string): Promise<void> {
    const warehouse = await this.requireWarehouse(manager, warehouseCode);
    await manager.query(
      `INSERT INTO stock_quarantine (warehouse_id, sku, quantity, reference, reason, created_by)
       SELECT $1, sku, quantity, $4, $5, $6 FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)`,
      [warehouse.id, lines.map((line) => line.sku), lines.map((line) => line.quantity), reference, reason.slice(0, 2000), actor],
    );
  }

  /** Units set aside by failed QC, per warehouse and sku (optionally of one reference). */
  async quarantined(reference?: string, manager: EntityManager = this.db.manager): Promise<Array<{ warehouse: string; sku: string; quantity: number }>> {
    return queryRows(
      manager,
      `SELECT w.code AS warehouse, q.sku, sum(q.quantity)::int AS quantity FROM stock_quarantine q JOIN warehouse w ON w.id = q.warehouse_id
        WHERE $1::text IS NULL OR q.reference = $1 GROUP BY w.code, q.sku ORDER BY w.code, q.sku`,
      [reference ?? null],
    );
  }

  /**
   * Every warehouse with what it has available of `skus`, in one round trip. Kept for the manager's transaction until taken
   * (takeStockRead): a workflow step reviews an order and then reserves it, and the reservation plans on the review's
   * read instead of reading again (issue 12 item 4). A plan made on a read gone stale loses nothing: the reservation is all or
   * nothing against the rows as they are, and a plan that lost is made again from a fresh read. Only a read made with
   * `keepForPlan` is remembered (the review's); the allocation takes it or reads for itself.
   */
  async stockOf(manager: EntityManager, skus: string[], { keepForPlan = false } = {}): Promise<StockRead> {
    const rows = await queryRows<WarehouseStock>(
      manager,
      `SELECT w.id, w.code, w.priority, w.province, w.city, w.cost_per_shipment AS "costPerShipment", w.active,
              coalesce((SELECT json_object_agg(l.sku, l.on_hand - l.reserved) FROM stock_level l WHERE l.warehouse_id = w.id AND l.sku = ANY($1)), '{}') AS available
         FROM warehouse w ORDER BY w.priority, w.code`,
      [skus],
    );
    const read = { skus: [...skus].sort().join('\n'), warehouses: rows };
    if (keepForPlan && manager.queryRunner?.isTransactionActive) this.stockReads.set(manager, read);
    return read;
  }

  /** The stock read of this transaction for exactly these skus, once (see stockOf); undefined when there is none. */
  takeStockRead(manager: EntityManager, skus: string[]): StockRead | undefined {
    const read = this.stockReads.get(manager);
    this.stockReads.delete(manager);
    return read?.skus === [...skus].sort().join('\n') ? read : undefined;
  }

  /** Units available now, per warehouse, for the given skus. */
  async availability(skus: string[], manager: EntityManager = this.db.manager): Promise<Array<{ warehouseId: string; sku: string; available: number }>> {
    if (skus.length === 0) return [];
    return manager.query(
      `SELECT warehouse_id AS "warehouseId", sku, on_hand - reserved AS available FROM stock_level WHERE sku = ANY($1)`,
      [skus],
    );
  }

  private async recordMovement(
    manager: EntityManager,
    warehouseId: string,
    sku: string,
    kind: StockMovementKind,
    onHandDelta: number,
    reservedDelta: number,
    after: MovementBalance | undefined,
    reference: string | null,
    reason: string | null,
    actor: string | null,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO stock_movement (warehouse_id, sku, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference, reason, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [warehouseId, sku, kind, onHandDelta, reservedDelta, after?.on_hand ?? 0, after?.reserved ?? 0, reference, reason, actor],
    );
  }
}

/** Quantities of one sku added up (an order may list a sku twice), in the order the skus first appear. */
export function mergeBySku(lines: StockRequest[]): StockRequest[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals.entries()].map(([sku, quantity]) => ({ sku, quantity }));
}
