import type { StockRead, StockRequest } from '../inventory/inventory.service';
import type { OrderFlag, StockShortage } from './order.entity';

/**
 * What an order still lacks against what the active warehouses hold now: per SKU the units not reserved, the units
 * available in all (clamped at 0), and the shortfall, the units that must still arrive. A shortfall of 0 means the stock is
 * there but was not reserved: spread over warehouses the partial-stock policy does not combine ("wait"), or a person
 * allocated fewer units.
 */
export function stockShortages(missing: StockRequest[], stock: StockRead): StockShortage[] {
  return missing.map(({ sku, quantity }) => {
    const available = stock.warehouses
      .filter((warehouse) => warehouse.active)
      .reduce((total, warehouse) => total + Math.max(0, warehouse.available[sku] ?? 0), 0);
    return { sku, needed: quantity, available, shortfall: Math.max(0, quantity - available) };
  });
}

/**
 * The out_of_stock flag of an order allocation could not (fully) serve (API.md flag `{code, message}`, extended): `sku` and
 * `shortfall` name the SKU most short (G2.6: "waiting for stock, with the SKU and how many short"), `shortages` all of them.
 */
export function outOfStockFlag(shortages: StockShortage[]): OrderFlag {
  const worst = shortages.reduce((most, shortage) => (shortage.shortfall > most.shortfall ? shortage : most), shortages[0]);
  const parts = shortages.map((s) =>
    s.shortfall > 0
      ? `${s.sku} short ${s.shortfall} (needs ${s.needed}, ${s.available} available)`
      : `${s.sku} needs ${s.needed}, ${s.available} available but not reserved (not in one warehouse, or held back)`,
  );
  return { code: 'out_of_stock', message: `Waiting for stock: ${parts.join(', ')}`, sku: worst.sku, shortfall: worst.shortfall, shortages };
}
