import type { AllocationStrategy, AllocationStrategyName } from './allocation-strategy';
import { FewestShipmentsStrategy } from './fewest-shipments.strategy';
import { LowestCostStrategy } from './lowest-cost.strategy';
import { NearestWarehouseStrategy } from './nearest-warehouse.strategy';
import { WarehousePriorityStrategy } from './warehouse-priority.strategy';

/** Every strategy settings.allocationStrategy can name. */
export const ALLOCATION_STRATEGIES: Record<AllocationStrategyName, AllocationStrategy> = {
  warehouse_priority: new WarehousePriorityStrategy(),
  nearest: new NearestWarehouseStrategy(),
  lowest_cost: new LowestCostStrategy(),
  fewest_shipments: new FewestShipmentsStrategy(),
};
