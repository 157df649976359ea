import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InsufficientStockError, InventoryService, type StockRequest } from '../inventory/inventory.service';
import { type AllocationPlan, type AllocationRules, planAllocation } from './allocation-plan';
import type { WarehouseCandidate } from './strategies/allocation-strategy';

/** A plan computed from availability can lose a race for the last units; it is planned again from fresh figures this often. */
const ATTEMPTS = 3;

/**
 * G1.3: plans where the requested units come from (allocation-plan.ts) and reserves every part of the plan in the caller's
 * transaction, all or nothing: a plan that lost a race for the last units changes nothing, and it is planned again.
 */
@Injectable()
export class AllocationService {
  constructor(private readonly inventory: InventoryService) {}

  async allocate(manager: EntityManager, reference: string, requests: StockRequest[], destination: { province: string; city: string; country?: string }, rules: AllocationRules): Promise<AllocationPlan> {
    for (let attempt = 1; ; attempt++) {
      const plan = planAllocation(await this.candidates(manager, requests), requests, destination, rules);
      if (plan.parts.length === 0) return plan;
      try {
        await this.reserveAll(manager, reference, plan);
        return plan;
      } catch (error) {
        if (!(error instanceof InsufficientStockError)) throw error;
        if (attempt === ATTEMPTS) return { parts: [], missing: requests, summary: `${plan.summary}; the stock was taken by other orders meanwhile` };
      }
    }
  }

  /**
   * Every part of the plan or none. One part is one all-or-nothing statement (InventoryService.reserve); several parts need a
   * savepoint to undo the parts reserved before the one that lost the race.
   */
  private async reserveAll(manager: EntityManager, reference: string, plan: AllocationPlan): Promise<void> {
    if (plan.parts.length === 1) return this.inventory.reserve(manager, plan.parts[0].warehouseId, reference, plan.parts[0].lines);
    await manager.query('SAVEPOINT allocate');
    try {
      for (const part of plan.parts) await this.inventory.reserve(manager, part.warehouseId, reference, part.lines);
      await manager.query('RELEASE SAVEPOINT allocate');
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT allocate');
      throw error;
    }
  }

  /** The active warehouses with what they have: the read this transaction made for these skus already (a review's), else a new one. */
  private async candidates(manager: EntityManager, requests: StockRequest[]): Promise<WarehouseCandidate[]> {
    const skus = [...new Set(requests.map((r) => r.sku))];
    const read = this.inventory.takeStockRead(manager, skus) ?? (await this.inventory.stockOf(manager, skus));
    return read.warehouses
      .filter((warehouse) => warehouse.active)
      .map(({ active: _active, available, ...warehouse }) => ({ ...warehouse, available: new Map(Object.entries(available)) }));
  }
}
