import { type Permission, PERMISSIONS } from './permissions';

/** The admin's role editor groups permissions by these areas (G3.3), in this order. */
export const PERMISSION_AREAS = ['Catalogue', 'Inventory', 'Orders', 'Shipping', 'After-sales', 'Workflows', 'Reports', 'Settings', 'Administration'] as const;
export type PermissionArea = (typeof PERMISSION_AREAS)[number];

export interface PermissionInfo {
  code: Permission;
  area: PermissionArea;
  description: string;
}

/** What each permission lets its holder do, in an operator's words; a new permission without an entry fails the typecheck. */
const DESCRIBED: Record<Permission, Omit<PermissionInfo, 'code'>> = {
  'catalog.read': { area: 'Catalogue', description: 'See products and their prices' },
  'catalog.write': { area: 'Catalogue', description: 'Create and change products' },
  'inventory.read': { area: 'Inventory', description: 'See warehouses and stock levels' },
  'inventory.write': { area: 'Inventory', description: 'Create warehouses, set and adjust stock' },
  'orders.read': { area: 'Orders', description: 'See orders, their history and customer messages' },
  'orders.write': { area: 'Orders', description: 'Take, amend, cancel orders and record payments' },
  'orders.approve': { area: 'Orders', description: 'Approve or reject orders held for review, allocate by hand' },
  'shipments.write': { area: 'Shipping', description: 'Pick, pack and ship; record carrier events' },
  'aftersales.read': { area: 'After-sales', description: 'See after-sales cases and feedback' },
  'aftersales.write': { area: 'After-sales', description: 'Open cases and review them' },
  'aftersales.warehouse': { area: 'After-sales', description: 'Receive returned goods and inspect them (QC)' },
  'aftersales.refund': { area: 'After-sales', description: 'Refund money to customers' },
  'workflows.read': { area: 'Workflows', description: 'See process diagrams, instances and incidents' },
  'workflows.deploy': { area: 'Workflows', description: 'Deploy new diagram versions, retry incidents' },
  'tasks.work': { area: 'Workflows', description: 'Claim and complete user tasks of the tasklist' },
  'settings.read': { area: 'Settings', description: 'See the flow rules and other settings' },
  'settings.manage': { area: 'Settings', description: 'Change settings and notification templates' },
  'users.manage': { area: 'Administration', description: 'Manage users, roles, API keys; read the audit log' },
  'backups.manage': { area: 'Administration', description: 'Take, verify, download and delete database backups' },
  'reports.read': { area: 'Reports', description: 'See and download the sales, status, product and customer reports' },
  'metrics.read': { area: 'Administration', description: 'Read the service metrics (/metrics: order and workflow volumes) for monitoring' },
  'wms.confirm': { area: 'Shipping', description: 'A WMS confirms pick, pack and ship of the warehouses its connector runs (only through /api/wms)' },
  'integrations.manage': { area: 'Administration', description: 'Connect shop platforms, payment, carriers and WMS: add, test, pause and delete connectors and set their credentials' },
};

/** Every permission a role can hold (GET /api/permissions), grouped by area then in declaration order. */
export const PERMISSION_CATALOGUE: readonly PermissionInfo[] = PERMISSIONS.map((code) => ({ code, ...DESCRIBED[code] })).sort(
  (a, b) => PERMISSION_AREAS.indexOf(a.area) - PERMISSION_AREAS.indexOf(b.area),
);

const KNOWN = new Set<string>(PERMISSIONS);
export const isPermission = (code: string): code is Permission => KNOWN.has(code);
