import type { ResourceWithOptions } from 'adminjs';
import { Shipment } from '../../fulfillment/shipment.entity';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { enumProperty, type ResourceDeps, statusProperty } from './resource-deps';

/** Shipments are created by allocation and moved on by the warehouse through the API; here they are looked up. */
export function logisticsResources({ components }: Pick<ResourceDeps, 'components'>): ResourceWithOptions[] {
  const shipment: ResourceWithOptions = {
    resource: Shipment,
    options: {
      navigation: NAVIGATION.logistics,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'shippedAt'],
      filterProperties: ['orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'createdAt', 'shippedAt'],
      properties: {
        orderId: { reference: 'Order' },
        warehouseId: { reference: 'Warehouse' },
        status: statusProperty(components, 'shipmentStatus'),
        carrier: enumProperty('carrier'),
      },
      actions: readOnlyActions('orders.read'),
    },
  };
  return [shipment];
}
