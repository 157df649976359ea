import { compareBins } from './bin-order';

export interface PickLine {
  bin: string | null;
  sku: string;
  name: string;
  quantity: number;
}

/**
 * G1.4: one line per SKU with the units of every shipment in the wave summed, in walking order of the bins
 * (ties, e.g. two SKUs sharing a bin, by SKU so the list is the same every time it is built).
 */
export class PickListBuilder {
  private readonly lines = new Map<string, PickLine>();

  constructor(private readonly binOf: (sku: string) => string | null, private readonly nameOf: (sku: string) => string = () => '') {}

  add(shipmentLines: Array<{ sku: string; quantity: number }>): this {
    for (const { sku, quantity } of shipmentLines) {
      const line = this.lines.get(sku);
      if (line) line.quantity += quantity;
      else this.lines.set(sku, { bin: this.binOf(sku), sku, name: this.nameOf(sku), quantity });
    }
    return this;
  }

  build(): PickLine[] {
    return [...this.lines.values()].sort((a, b) => compareBins(a.bin, b.bin) || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  }
}
