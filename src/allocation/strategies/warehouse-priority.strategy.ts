import { type AllocationStrategy, byPriority, type WarehouseCandidate } from './allocation-strategy';

/** The default: lowest priority number first (API.md "warehouses"). */
export class WarehousePriorityStrategy implements AllocationStrategy {
  readonly name = 'warehouse_priority';

  rank(candidates: WarehouseCandidate[]) {
    return [...candidates].sort(byPriority).map((candidate) => ({ candidate, reason: `priority ${candidate.priority}` }));
  }
}
