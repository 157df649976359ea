import type { StockRead } from '../../../src/inventory/inventory.service';
import { outOfStockFlag, stockShortages } from '../../../src/orders/stock-shortage';

const warehouse = (code: string, active: boolean, available: Record<string, number>) =>
  ({ id: code, code, priority: 1, province: '上海市', city: '上海市', costPerShipment: null, active, available });

describe('stock shortages of an order waiting for stock (G2.6)', () => {
  const stock: StockRead = {
    skus: 'A\nB\nC',
    warehouses: [warehouse('SH', true, { A: 1, B: 4 }), warehouse('GZ', true, { A: 1, B: -2 }), warehouse('OLD', false, { A: 50, C: 9 })],
  };

  it('counts what the active warehouses have (never below zero per warehouse) against what the order lacks', () => {
    expect(stockShortages([{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 3 }, { sku: 'C', quantity: 2 }], stock)).toEqual([
      { sku: 'A', needed: 5, available: 2, shortfall: 3 },
      { sku: 'B', needed: 3, available: 4, shortfall: 0 },
      { sku: 'C', needed: 2, available: 0, shortfall: 2 },
    ]);
  });

  it('the flag names the SKU most short and every shortage in its message', () => {
    const flag = outOfStockFlag(stockShortages([{ sku: 'C', quantity: 2 }, { sku: 'A', quantity: 5 }, { sku: 'B', quantity: 3 }], stock));
    expect(flag).toMatchObject({ code: 'out_of_stock', sku: 'A', shortfall: 3 });
    expect(flag.shortages).toHaveLength(3);
    expect(flag.message).toBe(
      'Waiting for stock: C short 2 (needs 2, 0 available), A short 3 (needs 5, 2 available), B needs 3, 4 available but not reserved (not in one warehouse, or held back)',
    );
  });
});
