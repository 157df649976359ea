import type { DataSource } from 'typeorm';
import type { AfterSalesService } from '../../after-sales/after-sales.service';
import type { ApiKeysService } from '../../auth/api-keys.service';
import type { RolesService } from '../../auth/roles.service';
import type { UsersService } from '../../auth/users.service';
import type { FulfillmentService } from '../../fulfillment/fulfillment.service';
import type { PickListService } from '../../fulfillment/pick-list.service';
import type { InventoryService } from '../../inventory/inventory.service';
import type { NotificationTemplatesService } from '../../notifications/notification-templates.service';
import type { NotificationsService } from '../../notifications/notifications.service';
import type { OrderBatchService } from '../../orders/order-batch.service';
import type { OrderMergeService } from '../../orders/order-merge.service';
import type { OrdersService } from '../../orders/orders.service';
import type { SettingsService } from '../../settings/settings.service';
import type { TrackingService } from '../../tracking/tracking.service';
import type { AdminIdentity } from '../admin-auth';
import type { AdminComponents } from '../admin-components';
import { type EnumGroup, enumChoices } from '../locale';
import type { AdminJsModule } from '../admin-runtime';
import type { AdminSessionStore } from '../admin-session';

/** What the resource definitions need at run time. */
export interface ResourceDeps {
  adminjs: AdminJsModule;
  components: AdminComponents;
  orders: OrdersService;
  merge: OrderMergeService;
  batch: OrderBatchService;
  fulfillment: FulfillmentService;
  pickLists: PickListService;
  inventory: InventoryService;
  settings: SettingsService;
  tracking: TrackingService;
  cases: AfterSalesService;
  notifications: NotificationsService;
  templates: NotificationTemplatesService;
  identity: AdminIdentity;
  sessions: AdminSessionStore;
  users: UsersService;
  roles: RolesService;
  apiKeys: ApiKeysService;
  db: DataSource;
}

/** Shown on the show page only (virtual fields filled by an after-hook, raw JSON columns turned into text). */
export const SHOW_ONLY = { list: false, filter: false, show: true, edit: false } as const;
export const LIST_AND_SHOW = { list: true, filter: false, show: true, edit: false } as const;
export const HIDDEN = false;

/** A property holding a code of `group`: AdminJS shows and filters it in the user's words (src/admin/locale). */
export const enumProperty = (group: EnumGroup) => ({ availableValues: enumChoices(group) });

/** A money column: shown as the user reads money (components/money-value.tsx), stored and edited as a decimal string. */
export const moneyProperty = (components: AdminComponents) => ({ components: { list: components.MoneyValue, show: components.MoneyValue } });

/** A status-like code: in the user's words and as a badge coloured by its meaning (components/status-badge.tsx). */
export const statusProperty = (components: AdminComponents, group: EnumGroup) => ({
  availableValues: enumChoices(group),
  components: { list: components.StatusBadge, show: components.StatusBadge },
  custom: { enumGroup: group },
});

/** A free-text code shown in words where it has them (a sales channel: 天猫), as it is otherwise; no badge, no choices. */
export const codeLabelProperty = (components: AdminComponents, group: EnumGroup) => ({
  components: { list: components.StatusBadge, show: components.StatusBadge },
  custom: { enumGroup: group, plain: true },
});

/** Pretty JSON of a flattened record param (AdminJS flattens jsonb columns into `name.key` params). */
export function jsonText(adminjs: AdminJsModule, params: Parameters<AdminJsModule['flat']['get']>[0], path: string): string {
  const value = adminjs.flat.get(params, path);
  return value === undefined || value === null ? '' : JSON.stringify(value, null, 2);
}
