import { compareBins } from '../../../src/fulfillment/bin-order';
import { invoiceTotals } from '../../../src/fulfillment/documents/invoice';
import { PickListBuilder } from '../../../src/fulfillment/pick-list-builder';

describe('walking order of bins (G1.4)', () => {
  const sorted = (bins: Array<string | null>) => [...bins].sort(compareBins);

  it('compares zone-aisle-shelf-level codes number by number: A-2-10-1 before A-10-1-1', () => {
    expect(sorted(['A-10-1-1', 'A-2-10-1', 'A-2-9-3', 'A-2-10-0'])).toEqual(['A-2-9-3', 'A-2-10-0', 'A-2-10-1', 'A-10-1-1']);
  });

  it('orders zones by letter, case-insensitively, and leading zeros do not matter', () => {
    expect(sorted(['b-1-1-1', 'A-01-02-1', 'C-1', 'A-1-10-1'])).toEqual(['A-01-02-1', 'A-1-10-1', 'b-1-1-1', 'C-1']);
  });

  it('puts lines without a bin (null, empty) last', () => {
    expect(sorted([null, 'B-1-1-1', '', 'A-1-1-1'])).toEqual(['A-1-1-1', 'B-1-1-1', null, '']);
  });

  it('a shorter code is the one before its longer extension (A-1 before A-1-1)', () => {
    expect(sorted(['A-1-1', 'A-1'])).toEqual(['A-1', 'A-1-1']);
  });

  it('is a total order: antisymmetric and equal codes compare 0', () => {
    expect(compareBins('A-2-10-1', 'A-2-10-1')).toBe(0);
    expect(Math.sign(compareBins('A-2-10-1', 'A-10-1-1'))).toBe(-Math.sign(compareBins('A-10-1-1', 'A-2-10-1')));
  });
});

describe('PickListBuilder', () => {
  it('sums the units of a SKU across the shipments of the wave and lists SKUs in bin order, binless last', () => {
    const bins: Record<string, string | null> = { TEA: 'A-10-1-1', CUP: 'A-2-10-1', POT: null, BAG: 'A-2-9-3' };
    const lines = new PickListBuilder((sku) => bins[sku] ?? null)
      .add([{ sku: 'TEA', quantity: 1 }, { sku: 'CUP', quantity: 2 }])
      .add([{ sku: 'CUP', quantity: 1 }, { sku: 'POT', quantity: 1 }])
      .add([{ sku: 'BAG', quantity: 3 }, { sku: 'TEA', quantity: 1 }])
      .build();
    expect(lines.map(({ bin, sku, quantity }) => ({ bin, sku, quantity }))).toEqual([
      { bin: 'A-2-9-3', sku: 'BAG', quantity: 3 },
      { bin: 'A-2-10-1', sku: 'CUP', quantity: 3 },
      { bin: 'A-10-1-1', sku: 'TEA', quantity: 2 },
      { bin: null, sku: 'POT', quantity: 1 },
    ]);
  });

  it('two SKUs in one bin are listed by SKU, the same every time', () => {
    const lines = new PickListBuilder(() => 'A-1-1-1').add([{ sku: 'Z', quantity: 1 }, { sku: 'M', quantity: 1 }]).build();
    expect(lines.map((line) => line.sku)).toEqual(['M', 'Z']);
  });
});

describe('invoice totals', () => {
  it('are computed on cents: 3 × 0.10 + 0.20 is 0.50 and the shipping fee is added, never a float', () => {
    const totals = invoiceTotals({
      lines: [
        { lineNo: 1, sku: 'A', name: '', quantity: 3, unitPrice: '0.10' },
        { lineNo: 2, sku: 'B', name: '', quantity: 1, unitPrice: '0.20' },
      ],
      shippingFee: '10.00',
    });
    expect(totals).toEqual({ lines: [{ lineTotal: '0.30' }, { lineTotal: '0.20' }], itemsTotal: '0.50', shippingFee: '10.00', grandTotal: '10.50' });
  });
});
