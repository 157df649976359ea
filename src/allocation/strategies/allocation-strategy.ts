import type { StockRequest, WarehouseStock } from '../../inventory/inventory.service';

/** A warehouse that could serve an order (an active one of a stock read), with what it has of each requested sku. */
export type WarehouseCandidate = Omit<WarehouseStock, 'active' | 'available'> & { available: Map<string, number> };

export interface AllocationContext {
  /** Where the parcel goes. */
  destination: { province: string; city: string; country?: string };
  /** What is still to be placed; fewest-shipments ranks warehouses by how much of it each covers. */
  requests: StockRequest[];
}

export interface RankedWarehouse {
  candidate: WarehouseCandidate;
  /** Why it stands where it does, in words an operator reads on the order (G1.3 "records why"). */
  reason: string;
}

export const ALLOCATION_STRATEGY_NAMES = ['warehouse_priority', 'nearest', 'lowest_cost', 'fewest_shipments'] as const;
export type AllocationStrategyName = (typeof ALLOCATION_STRATEGY_NAMES)[number];

/** Chooses the order in which warehouses are tried (G1.3); settings.allocationStrategy picks one. */
export interface AllocationStrategy {
  readonly name: AllocationStrategyName;
  rank(candidates: WarehouseCandidate[], context: AllocationContext): RankedWarehouse[];
}

/** The tie-breaker every strategy ends with: lower priority number first, then the code. */
export const byPriority = (a: WarehouseCandidate, b: WarehouseCandidate): number => a.priority - b.priority || a.code.localeCompare(b.code);

/** Units of the requests a warehouse can give now. */
export const unitsCovered = (candidate: WarehouseCandidate, requests: StockRequest[]): number =>
  requests.reduce((total, request) => total + Math.min(request.quantity, Math.max(0, candidate.available.get(request.sku) ?? 0)), 0);
