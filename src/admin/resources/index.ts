import type { ResourceWithOptions } from 'adminjs';
import { administrationResources } from './administration.resources';
import { afterSalesResources } from './after-sales.resources';
import { inventoryResources } from './inventory.resources';
import { logisticsResources } from './logistics.resources';
import { notificationResources } from './notifications.resources';
import { orderResources } from './orders.resources';
import type { ResourceDeps } from './resource-deps';
import { workflowResources } from './workflows.resources';

export type { ResourceDeps } from './resource-deps';

/** Every AdminJS resource, in sidebar order (G2.1: Orders, Inventory, Logistics, After-sales, Notifications, Workflows, Administration). */
export function adminResources(deps: ResourceDeps): ResourceWithOptions[] {
  return [...orderResources(deps), ...inventoryResources(deps), ...logisticsResources(deps), ...afterSalesResources(deps), ...notificationResources(deps), ...workflowResources(deps), ...administrationResources(deps)];
}
