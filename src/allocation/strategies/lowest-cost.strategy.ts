import { normaliseMoney, toCents } from '../../common/money';
import { type AllocationStrategy, byPriority, type WarehouseCandidate } from './allocation-strategy';

/** Cheapest cost per shipment first; a warehouse without a cost goes after those with one. */
export class LowestCostStrategy implements AllocationStrategy {
  readonly name = 'lowest_cost';

  rank(candidates: WarehouseCandidate[]) {
    const cost = (candidate: WarehouseCandidate) => (candidate.costPerShipment === null ? null : toCents(candidate.costPerShipment));
    return [...candidates]
      .sort((a, b) => {
        const [x, y] = [cost(a), cost(b)];
        if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || byPriority(a, b);
        return x < y ? -1 : x > y ? 1 : byPriority(a, b);
      })
      .map((candidate) => ({
        candidate,
        reason: candidate.costPerShipment === null ? 'no cost per shipment set' : `costs ${normaliseMoney(candidate.costPerShipment)} per shipment`,
      }));
  }
}
