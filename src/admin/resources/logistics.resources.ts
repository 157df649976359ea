import type { ResourceWithOptions } from 'adminjs';
import { SHIPMENT_STATUSES, Shipment } from '../../fulfillment/shipment.entity';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { choices } from './resource-deps';

/** Shipments are created by allocation and moved on by the warehouse through the API; here they are looked up. */
export function logisticsResources(): ResourceWithOptions[] {
  const shipment: ResourceWithOptions = {
    resource: Shipment,
    options: {
      navigation: NAVIGATION.logistics,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'shippedAt'],
      filterProperties: ['orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'createdAt'],
      properties: {
        orderId: { reference: 'Order' },
        warehouseId: { reference: 'Warehouse' },
        status: { availableValues: choices(SHIPMENT_STATUSES) },
      },
      actions: readOnlyActions('orders.read'),
    },
  };
  return [shipment];
}
