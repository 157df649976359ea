import type { ActionContext, CurrentAdmin, IsFunction } from 'adminjs';

/** What the admin session holds about who is signed in (AdminJS CurrentAdmin plus our roles and permissions). */
export interface OmsCurrentAdmin extends CurrentAdmin {
  id: string;
  email: string;
  title: string;
  roles: string[];
  /** The union of the roles' permissions at login; actions that change data look them up again. */
  permissions: string[];
  /** The back office's language for this user (issue 14), read again on every request like the permissions. */
  locale?: string;
  /** The shop's time zone (settings `timeZone`) that every date of the admin is shown in, read again on every request. */
  timeZone?: string;
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** G3.3: `*` (the admin role) allows everything. */
export function can(admin: CurrentAdmin | undefined, permission: string): boolean {
  const permissions = listOf(admin?.permissions);
  return permissions.includes('*') || permissions.includes(permission);
}

export function isAdmin(admin: CurrentAdmin | undefined): boolean {
  return listOf(admin?.roles).includes('admin');
}

export const requirePermission =
  (permission: string): IsFunction =>
  ({ currentAdmin }: ActionContext) =>
    can(currentAdmin, permission);

export const adminsOnly: IsFunction = ({ currentAdmin }: ActionContext) => isAdmin(currentAdmin);

/** A resource people look at but never change here (ledgers, history, workflow state). */
export function readOnlyActions(readPermission: string) {
  const allowed = requirePermission(readPermission);
  return {
    list: { isAccessible: allowed },
    search: { isAccessible: allowed },
    show: { isAccessible: allowed },
    new: { isAccessible: false },
    edit: { isAccessible: false },
    delete: { isAccessible: false },
    bulkDelete: { isAccessible: false },
  };
}

/** Read with one permission, create and edit with another; rows are deactivated, never deleted. */
export function editableActions(readPermission: string, writePermission: string) {
  const canRead = requirePermission(readPermission);
  const canWrite = requirePermission(writePermission);
  return {
    list: { isAccessible: canRead },
    search: { isAccessible: canRead },
    show: { isAccessible: canRead },
    new: { isAccessible: canWrite },
    edit: { isAccessible: canWrite },
    delete: { isAccessible: false },
    bulkDelete: { isAccessible: false },
  };
}

/** Navigation groups of G2.1 (and G3.2: the customer messages, their templates and undelivered-message alerts). */
export const NAVIGATION = {
  orders: { name: 'Orders', icon: 'ShoppingCart' },
  inventory: { name: 'Inventory', icon: 'Package' },
  logistics: { name: 'Logistics', icon: 'Truck' },
  afterSales: { name: 'After-sales', icon: 'RotateCcw' },
  notifications: { name: 'Notifications', icon: 'Mail' },
  workflows: { name: 'Workflows', icon: 'GitBranch' },
  administration: { name: 'Administration', icon: 'Settings' },
} as const;
