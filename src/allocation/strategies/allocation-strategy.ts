/** A warehouse that could serve an order, with what it has of each requested sku. */
export interface WarehouseCandidate {
  id: string;
  code: string;
  priority: number;
  province: string;
  city: string;
  costPerShipment: string | null;
  available: Map<string, number>;
}

/** Chooses the order in which warehouses are tried (G1.3); the first that can reserve everything wins. */
export interface AllocationStrategy {
  readonly name: string;
  rank(candidates: WarehouseCandidate[], destination: { province: string; city: string }): Array<{ candidate: WarehouseCandidate; reason: string }>;
}
