import { type AllocationRules, planAllocation } from '../../../src/allocation/allocation-plan';
import type { WarehouseCandidate } from '../../../src/allocation/strategies/allocation-strategy';
import { distanceKm } from '../../../src/common/china-regions';

/** G1.3: which warehouses an order's units come from, for each strategy and partial-stock policy. */
const warehouse = (code: string, priority: number, province: string, city: string, cost: string | null, stock: Record<string, number>): WarehouseCandidate => ({
  id: `id-${code}`,
  code,
  priority,
  province,
  city,
  costPerShipment: cost,
  available: new Map(Object.entries(stock)),
});

const shanghai = { province: '上海', city: '上海市' };
const rules = (overrides: Partial<AllocationRules> = {}): AllocationRules => ({ strategy: 'warehouse_priority', partialStockPolicy: 'split', defaultWarehouse: null, ...overrides });
const shares = (plan: ReturnType<typeof planAllocation>) => plan.parts.map((part) => [part.warehouseCode, part.lines]);

describe('planAllocation (G1.3)', () => {
  const beijing = warehouse('BJ', 1, '北京', '北京', '12.00', { A: 5, B: 5 });
  const shanghaiWh = warehouse('SH', 2, '上海', '上海', '8.00', { A: 5, B: 5 });
  const guangzhou = warehouse('GZ', 3, '广东', '广州', '6.50', { A: 5, B: 5 });
  const all = [guangzhou, beijing, shanghaiWh];
  const order = [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }];

  it('warehouse priority: the lowest priority number that has every line', () => {
    const plan = planAllocation(all, order, shanghai, rules());
    expect(shares(plan)).toEqual([['BJ', order]]);
    expect(plan.parts[0].reason).toBe('BJ: priority 1, all lines in stock');
    expect(plan.missing).toEqual([]);
  });

  it('nearest: same city first, then by distance between province capitals', () => {
    expect(shares(planAllocation(all, order, shanghai, rules({ strategy: 'nearest' })))).toEqual([['SH', order]]);
    expect(planAllocation(all, order, shanghai, rules({ strategy: 'nearest' })).parts[0].reason).toContain('same city');
    // 深圳 is in 广东: GZ (same province) beats SH and BJ
    expect(shares(planAllocation(all, order, { province: '广东省', city: '深圳市' }, rules({ strategy: 'nearest' })))).toEqual([['GZ', order]]);
    // 杭州 (浙江) is nearer Shanghai than Beijing or Guangzhou
    const hangzhou = planAllocation([beijing, guangzhou, shanghaiWh], order, { province: 'Zhejiang', city: 'Hangzhou' }, rules({ strategy: 'nearest' }));
    expect(shares(hangzhou)).toEqual([['SH', order]]);
    expect(hangzhou.parts[0].reason).toMatch(/^SH: about \d+ km to Zhejiang Hangzhou/);
  });

  it('lowest cost: cheapest cost per shipment first; no cost set goes last', () => {
    expect(shares(planAllocation(all, order, shanghai, rules({ strategy: 'lowest_cost' })))).toEqual([['GZ', order]]);
    const unpriced = warehouse('XX', 0, '上海', '上海', null, { A: 5, B: 5 });
    expect(shares(planAllocation([unpriced, beijing], order, shanghai, rules({ strategy: 'lowest_cost' })))).toEqual([['BJ', order]]);
    expect(planAllocation([unpriced, beijing], order, shanghai, rules({ strategy: 'lowest_cost' })).parts[0].reason).toBe('BJ: costs 12.00 per shipment, all lines in stock');
  });

  it('the default warehouse in settings wins when it has every line, whatever the strategy', () => {
    const plan = planAllocation(all, order, shanghai, rules({ strategy: 'nearest', defaultWarehouse: 'GZ' }));
    expect(shares(plan)).toEqual([['GZ', order]]);
    expect(plan.parts[0].reason).toContain('default warehouse');
    const short = warehouse('GZ', 3, '广东', '广州', null, { A: 1 });
    expect(shares(planAllocation([short, beijing], order, shanghai, rules({ defaultWarehouse: 'GZ' })))).toEqual([['BJ', order]]);
  });

  it('a better-ranked warehouse without every line is skipped, and the summary says what it lacked', () => {
    const partial = warehouse('BJ', 1, '北京', '北京', null, { A: 1, B: 5 });
    const plan = planAllocation([partial, shanghaiWh], order, shanghai, rules());
    expect(shares(plan)).toEqual([['SH', order]]);
    expect(plan.summary).toContain('BJ skipped (A 1 of 2)');
  });

  describe('no single warehouse has every line', () => {
    const onlyA = warehouse('A1', 1, '北京', '北京', null, { A: 2 });
    const onlyB = warehouse('B1', 2, '上海', '上海', null, { B: 1 });
    const someA = warehouse('A2', 3, '广东', '广州', null, { A: 1 });

    it('wait: nothing is reserved', () => {
      const plan = planAllocation([onlyA, onlyB], order, shanghai, rules({ partialStockPolicy: 'wait' }));
      expect(plan.parts).toEqual([]);
      expect(plan.missing).toEqual(order);
      expect(plan.summary).toContain('wait for restock');
    });

    it('split: across warehouses in ranking order when together they have everything', () => {
      const plan = planAllocation([onlyB, onlyA], order, shanghai, rules({ partialStockPolicy: 'split' }));
      expect(shares(plan)).toEqual([['A1', [{ sku: 'A', quantity: 2 }]], ['B1', [{ sku: 'B', quantity: 1 }]]]);
      expect(plan.missing).toEqual([]);
      expect(plan.parts[1].reason).toBe('B1: priority 2, ships B × 1');
    });

    it('split: nothing when all together are still short', () => {
      const plan = planAllocation([someA, onlyB], order, shanghai, rules({ partialStockPolicy: 'split' }));
      expect(plan.parts).toEqual([]);
      expect(plan.summary).toContain('short of A × 1');
    });

    it('ship what is there: what the warehouses have, the rest missing', () => {
      const plan = planAllocation([someA, onlyB], order, shanghai, rules({ partialStockPolicy: 'ship_available' }));
      expect(shares(plan)).toEqual([['B1', [{ sku: 'B', quantity: 1 }]], ['A2', [{ sku: 'A', quantity: 1 }]]]);
      expect(plan.missing).toEqual([{ sku: 'A', quantity: 1 }]);
      expect(planAllocation([], order, shanghai, rules({ partialStockPolicy: 'ship_available' })).parts).toEqual([]);
    });

    it('fewest shipments: the warehouse covering most of what is left first', () => {
      const big = warehouse('BIG', 9, '新疆', '乌鲁木齐', null, { A: 2, C: 3 });
      const request = [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 3 }];
      const plan = planAllocation([onlyA, onlyB, big], request, shanghai, rules({ strategy: 'fewest_shipments' }));
      expect(shares(plan)).toEqual([['BIG', [{ sku: 'A', quantity: 2 }, { sku: 'C', quantity: 3 }]], ['B1', [{ sku: 'B', quantity: 1 }]]]);
      // priority order would have needed three parcels
      expect(planAllocation([onlyA, onlyB, big], request, shanghai, rules()).parts).toHaveLength(3);
    });
  });

  it('distanceKm: 0 in the same city, nominal within a province, great-circle between capitals, null abroad', () => {
    expect(distanceKm({ province: '上海', city: '上海' }, { province: 'Shanghai', city: 'Shanghai City' })).toBe(0);
    expect(distanceKm({ province: '广东', city: '广州' }, { province: '广东省', city: '深圳' })).toBe(100);
    const beijingShanghai = distanceKm({ province: '北京', city: '北京' }, { province: '上海', city: '上海' })!;
    expect(beijingShanghai).toBeGreaterThan(1000);
    expect(beijingShanghai).toBeLessThan(1150);
    expect(distanceKm({ province: '北京', city: '北京' }, { province: 'California', city: 'LA', country: 'US' })).toBeNull();
  });
});
