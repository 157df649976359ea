import type { ShipmentStatus } from './shipment.entity';

/** Where a shipment may go from each status (DESIGN "Data rules": transitions as data, one place per aggregate). */
export const SHIPMENT_TRANSITIONS: Record<ShipmentStatus, readonly ShipmentStatus[]> = {
  allocated: ['picking', 'packed', 'shipped', 'cancelled'],
  picking: ['packed', 'shipped', 'cancelled'],
  packed: ['shipped', 'cancelled'],
  shipped: ['in_transit', 'delivered', 'exception'],
  in_transit: ['delivered', 'exception'],
  exception: ['in_transit', 'delivered'],
  delivered: [],
  cancelled: [],
};

/** Not yet handed to the carrier: these can still be picked, packed, shipped or cancelled. */
export const OPEN_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['allocated', 'picking', 'packed'];

/** Not yet in the box: these can be packed. */
export const PACKABLE_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['allocated', 'picking'];
