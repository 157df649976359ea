import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InsufficientStockError, InventoryService, type StockRequest } from '../inventory/inventory.service';
import type { AllocationStrategy, WarehouseCandidate } from './strategies/allocation-strategy';
import { WarehousePriorityStrategy } from './strategies/warehouse-priority.strategy';

export interface Allocation {
  warehouseId: string;
  warehouseCode: string;
  reason: string;
}

/**
 * G1.3: chooses a warehouse and reserves the whole request there, in the caller's transaction.
 * Each attempt runs in a savepoint, so a warehouse that loses a race for the last units is simply skipped.
 */
@Injectable()
export class AllocationService {
  private readonly strategy: AllocationStrategy = new WarehousePriorityStrategy();

  constructor(private readonly inventory: InventoryService) {}

  async allocate(manager: EntityManager, reference: string, requests: StockRequest[], destination: { province: string; city: string }): Promise<Allocation | null> {
    const candidates = await this.candidates(manager, requests);
    for (const { candidate, reason } of this.strategy.rank(candidates, destination)) {
      const canServe = requests.every((request) => (candidate.available.get(request.sku) ?? 0) >= request.quantity);
      if (!canServe) continue;
      await manager.query('SAVEPOINT allocate');
      try {
        await this.inventory.reserve(manager, candidate.id, reference, requests);
        await manager.query('RELEASE SAVEPOINT allocate');
        return { warehouseId: candidate.id, warehouseCode: candidate.code, reason: `${candidate.code}: ${reason}, all lines in stock` };
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT allocate');
        if (!(error instanceof InsufficientStockError)) throw error;
      }
    }
    return null;
  }

  private async candidates(manager: EntityManager, requests: StockRequest[]): Promise<WarehouseCandidate[]> {
    const warehouses = await this.inventory.activeWarehouses(manager);
    const availability = await this.inventory.availability([...new Set(requests.map((r) => r.sku))], manager);
    return warehouses.map((warehouse) => ({
      id: warehouse.id,
      code: warehouse.code,
      priority: warehouse.priority,
      province: warehouse.province,
      city: warehouse.city,
      costPerShipment: warehouse.costPerShipment,
      available: new Map(availability.filter((row) => row.warehouseId === warehouse.id).map((row) => [row.sku, row.available])),
    }));
  }
}
