import type { StockRequest } from '../inventory/inventory.service';
import { type AllocationStrategyName, type RankedWarehouse, unitsCovered, type WarehouseCandidate } from './strategies/allocation-strategy';
import { ALLOCATION_STRATEGIES } from './strategies';

/** settings.partialStockPolicy (G1.3): what happens when no single warehouse has the whole order. */
export type PartialStockPolicy = 'ship_available' | 'split' | 'wait';

/** The flow rules allocation follows, from the settings (G3.1). */
export interface AllocationRules {
  strategy: AllocationStrategyName;
  partialStockPolicy: PartialStockPolicy;
  /** Tried first whenever it can serve the whole request. */
  defaultWarehouse: string | null;
}

/** One warehouse's share: reserved there and shipped as one shipment. */
export interface AllocationPart {
  warehouseId: string;
  warehouseCode: string;
  lines: StockRequest[];
  /** Why this warehouse, shown on the order and its shipment. */
  reason: string;
}

export interface AllocationPlan {
  parts: AllocationPart[];
  /** Units no warehouse can give now: they wait for restock (the backorder). */
  missing: StockRequest[];
  /** One sentence for the order's history: the strategy, the policy and what happened. */
  summary: string;
}

export const describeRequests = (requests: StockRequest[]): string => requests.map((r) => `${r.sku} × ${r.quantity}`).join(', ');

/**
 * G1.3 as a pure function of what each warehouse has now: the default warehouse if it has everything; else the first
 * warehouse in the strategy's ranking that has everything; else, as the policy says, wait, or take what each warehouse has
 * in ranking order (split: only when together they cover the whole request; ship what is there: whatever they cover).
 */
export function planAllocation(candidates: WarehouseCandidate[], requests: StockRequest[], destination: { province: string; city: string; country?: string }, rules: AllocationRules): AllocationPlan {
  const strategy = ALLOCATION_STRATEGIES[rules.strategy];
  const ranked = strategy.rank(candidates, { destination, requests });
  const label = `${rules.strategy.replace(/_/g, ' ')} allocation`;
  const whole = ({ candidate, reason }: RankedWarehouse, skipped: RankedWarehouse[]): AllocationPlan => {
    const passedOver = skipped.map((other) => `${other.candidate.code} skipped (${shortOf(other.candidate, requests)})`);
    return {
      parts: [{ warehouseId: candidate.id, warehouseCode: candidate.code, lines: requests, reason: `${candidate.code}: ${reason}, all lines in stock` }],
      missing: [],
      summary: [`${label}: ${candidate.code} (${reason}) has every line`, ...passedOver].join('; '),
    };
  };

  const preferred = ranked.find((entry) => entry.candidate.code === rules.defaultWarehouse);
  if (preferred && covers(preferred.candidate, requests)) return whole({ ...preferred, reason: 'the default warehouse in settings' }, []);
  const firstWhole = ranked.findIndex((entry) => covers(entry.candidate, requests));
  if (firstWhole >= 0) return whole(ranked[firstWhole], ranked.slice(0, firstWhole));
  const nobody = `no single warehouse has ${describeRequests(requests)}`;
  if (rules.partialStockPolicy === 'wait') return { parts: [], missing: requests, summary: `${label}: ${nobody}; the policy is to wait for restock` };

  // greedy: ranked again against what is left after each warehouse takes its share (only fewest-shipments' ranking changes)
  const parts: AllocationPart[] = [];
  let remaining = requests;
  let unused = candidates;
  for (;;) {
    const next = strategy.rank(unused, { destination, requests: remaining }).find((entry) => unitsCovered(entry.candidate, remaining) > 0);
    if (!next) break;
    const take = remaining.map((r) => ({ sku: r.sku, quantity: Math.min(r.quantity, Math.max(0, next.candidate.available.get(r.sku) ?? 0)) })).filter((r) => r.quantity > 0);
    parts.push({ warehouseId: next.candidate.id, warehouseCode: next.candidate.code, lines: take, reason: `${next.candidate.code}: ${next.reason}, ships ${describeRequests(take)}` });
    remaining = remaining.map((r) => ({ sku: r.sku, quantity: r.quantity - (take.find((t) => t.sku === r.sku)?.quantity ?? 0) })).filter((r) => r.quantity > 0);
    unused = unused.filter((candidate) => candidate !== next.candidate);
    if (remaining.length === 0) break;
  }
  if (parts.length === 0) return { parts: [], missing: requests, summary: `${label}: no warehouse has any of ${describeRequests(requests)}` };
  if (remaining.length && rules.partialStockPolicy === 'split') {
    return { parts: [], missing: requests, summary: `${label}: ${nobody} and all together are short of ${describeRequests(remaining)}; split waits until the whole order can be reserved` };
  }
  const how = rules.partialStockPolicy === 'split' ? `split across ${parts.length} warehouses` : 'shipping what is in stock';
  const rest = remaining.length ? `; ${describeRequests(remaining)} wait for restock` : '';
  return { parts, missing: remaining, summary: `${label}, ${nobody}: ${how}: ${parts.map((part) => part.reason).join('; ')}${rest}` };
}

const covers = (candidate: WarehouseCandidate, requests: StockRequest[]) => requests.every((r) => (candidate.available.get(r.sku) ?? 0) >= r.quantity);

const shortOf = (candidate: WarehouseCandidate, requests: StockRequest[]) =>
  requests
    .filter((r) => (candidate.available.get(r.sku) ?? 0) < r.quantity)
    .map((r) => `${r.sku} ${Math.max(0, candidate.available.get(r.sku) ?? 0)} of ${r.quantity}`)
    .join(', ');
