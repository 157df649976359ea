import { type AllocationContext, type AllocationStrategy, byPriority, unitsCovered, type WarehouseCandidate } from './allocation-strategy';

/**
 * The warehouse that covers most of what is left first, so the order leaves in as few parcels as possible (ranked
 * again after each warehouse takes its share when the order is split: a greedy cover).
 */
export class FewestShipmentsStrategy implements AllocationStrategy {
  readonly name = 'fewest_shipments';

  rank(candidates: WarehouseCandidate[], { requests }: AllocationContext) {
    const wanted = requests.reduce((total, request) => total + request.quantity, 0);
    return candidates
      .map((candidate) => ({ candidate, covered: unitsCovered(candidate, requests) }))
      .sort((a, b) => b.covered - a.covered || byPriority(a.candidate, b.candidate))
      .map(({ candidate, covered }) => ({ candidate, reason: `has ${covered} of the ${wanted} units wanted` }));
  }
}
