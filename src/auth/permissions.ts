/** What a role may do (G3.3). Routes declare one of these with @RequirePermission. */
export const PERMISSIONS = [
  'catalog.read', 'catalog.write',
  'inventory.read', 'inventory.write',
  'orders.read', 'orders.write', 'orders.approve',
  'shipments.write',
  'aftersales.read', 'aftersales.write', 'aftersales.warehouse', 'aftersales.refund',
  'workflows.read', 'workflows.deploy',
  'tasks.work',
  'settings.read', 'settings.manage',
  'users.manage',
  'metrics.read',
  'backups.manage',
  'reports.read',
  'integrations.manage',
  'wms.confirm',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The roles a new install starts with; admins can change them in the admin (Role resource). */
export const BUILT_IN_ROLES: Array<{ name: string; description: string; permissions: string[] }> = [
  { name: 'admin', description: 'Everything, including users, roles and settings', permissions: ['*'] },
  {
    name: 'operator',
    description: 'Customer service / order operators: orders, review, exceptions',
    permissions: ['catalog.read', 'inventory.read', 'orders.read', 'orders.write', 'orders.approve', 'aftersales.read', 'aftersales.write', 'workflows.read', 'tasks.work', 'settings.read', 'reports.read'],
  },
  {
    name: 'warehouse',
    description: 'Warehouse staff: stock, picking, packing, shipping',
    permissions: ['catalog.read', 'inventory.read', 'inventory.write', 'orders.read', 'shipments.write', 'aftersales.read', 'aftersales.warehouse', 'tasks.work'],
  },
  { name: 'finance', description: 'Finance: payments and refunds', permissions: ['catalog.read', 'orders.read', 'aftersales.read', 'aftersales.refund', 'tasks.work', 'reports.read'] },
  {
    name: 'analyst',
    description: 'Business analysts: workflows, their diagrams and the flow rules',
    permissions: ['catalog.read', 'orders.read', 'workflows.read', 'workflows.deploy', 'settings.read', 'settings.manage', 'reports.read'],
  },
  {
    name: 'integration',
    description: 'Shop platforms, payment, carriers and WMS calling the API',
    permissions: ['catalog.read', 'catalog.write', 'inventory.read', 'inventory.write', 'orders.read', 'orders.write', 'shipments.write'],
  },
  // issue 15 item 5: a WMS's key confirms pick, pack and ship of the warehouses its connector runs, and nothing else
  { name: 'wms', description: 'A WMS confirming pick, pack and ship of the warehouses it runs', permissions: ['wms.confirm'] },
];

export function allows(permissions: ReadonlySet<string>, required: string): boolean {
  return permissions.has('*') || permissions.has(required);
}

/** What of `needed` the holder of `permissions` lacks (nothing for `*`), each once, sorted. */
export function lacking(permissions: ReadonlySet<string>, needed: Iterable<string>): string[] {
  return [...new Set(needed)].filter((permission) => !allows(permissions, permission)).sort();
}
