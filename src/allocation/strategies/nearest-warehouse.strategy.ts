import { distanceKm } from '../../common/china-regions';
import { type AllocationContext, type AllocationStrategy, byPriority, type WarehouseCandidate } from './allocation-strategy';

/** Nearest to the customer by the province distance table (src/common/china-regions.ts); unknown distances go last. */
export class NearestWarehouseStrategy implements AllocationStrategy {
  readonly name = 'nearest';

  rank(candidates: WarehouseCandidate[], { destination }: AllocationContext) {
    const to = `${destination.province} ${destination.city}`.trim();
    return candidates
      .map((candidate) => ({ candidate, km: distanceKm(candidate, destination) }))
      .sort((a, b) => (a.km ?? Infinity) - (b.km ?? Infinity) || byPriority(a.candidate, b.candidate))
      .map(({ candidate, km }) => ({ candidate, reason: km === null ? `distance to ${to} unknown` : `${describe(km)} to ${to}` }));
  }
}

const describe = (km: number) => (km === 0 ? 'same city' : `about ${km} km`);
