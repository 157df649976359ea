import { join } from 'node:path';
import type { ComponentLoader } from 'adminjs';
import { projectRoot } from '../common/project-root';
import type { AdminJsModule } from './admin-runtime';

/**
 * The React components of the order, after-sales, template and user screens (src/admin/components, .tsx). `npm run build` bundles them (with AdminJS's
 * rollup, through @adminjs/bundler: src/admin/build-admin-bundle.mjs, which takes this list from dist/) into
 * dist/adminjs/, which the admin serves; nothing is bundled at start (admin-runtime.ts serveComponentsBundle). They are
 * registered from the sources, which dist/ does not copy: the build bundles those, and the start checks the bundle was
 * made for these names and files.
 */
const COMPONENTS_DIR = join(projectRoot(), 'src', 'admin', 'components');

export interface AdminComponents {
  loader: ComponentLoader;
  /** Order detail page (the Order resource's show). */
  OrderDetail: string;
  /** After-sales case detail page (the AfterSalesCase resource's show). */
  CaseDetail: string;
  /** Any order or case action's form, driven by the ActionForm its GET answers. */
  ActionForm: string;
  /** Orders per status with links to the filtered list (dashboard, "By status"). */
  OrderStatusCounts: string;
  /** The notification template editor (the NotificationTemplateVersion resource's list). */
  TemplateEditor: string;
  /** A list property as grouped checkboxes: a role's permissions by area, a user's roles. */
  CheckboxGroups: string;
  /** The "Change my password" page. */
  ChangePassword: string;
  /** The Backups page (issue 13). */
  Backups: string;
  /** 对接管理 (issue 15 item 6): connectors, their webhook URLs, tests, deliveries and replays. */
  Integrations: string;
  /** The Reports page (G4): range, table, chart, downloads. */
  ReportsPage: string;
  /** 异常处理 (G2.6): the exception work queues page. */
  ExceptionQueues: string;
  /** A status-like code in the user's words, coloured by meaning (issue 14): list and show of enum properties. */
  StatusBadge: string;
  /** A money property (decimal string of yuan) as ¥129.00 in the user's language: list and show. */
  MoneyValue: string;
  /** The order list: one search box, export, batch actions, refresh while orders move on (issue 14 item 6). */
  OrderList: string;
  /** A batch action on the list's selection: its form and each order's outcome. */
  BatchAction: string;
  /** The customers page: list and detail (issue 14 item 7). */
  CustomersPage: string;
  /** The flow-rules page (规则设置, G3.1): every setting with its control, validated like PUT /api/settings, with its history. */
  SettingsPage: string;
  /** Codes in the user's words in lists and detail pages: roles (built-in ones translated), a role's permission count. */
  CodeLabels: string;
  /** The user list's role filter: picked from the roles, not typed. */
  RoleFilter: string;
  /** A boolean ticked by default on a new record (a new user's Active). */
  DefaultOnCheckbox: string;
  /** AdminJS's "Pages" menu (`SidebarPages`, overridden): only the pages the user's role may open. */
  SidebarPages: string;
  /** A customer message as the customer received it: subject, plain text, HTML in a sandboxed frame (issue 14 item 13). */
  CustomerMessage: string;
  /** AdminJS's user menu (`LoggedIn`, overridden) with the language switch that saves the user's locale (issue 14). */
  UserMenu: string;
  /** A pick list's page (G1.4): lines in walking order, the wave's shipments, print buttons. */
  PickListDetail: string;
  /** A shipment's print buttons: label, packing slip, invoice (show). */
  ShipmentDocuments: string;
  /** 由WMS作业: on a shipment a WMS works, in place of the pick and pack buttons (issue 15 item 5). */
  WmsHandling: string;
  /** A product's stock per warehouse (show). */
  ProductStock: string;
  /** AdminJS's date-time column and field (overridden), in the shop's time zone (issue 14). */
  DateTimeList: string;
  DateTimeShow: string;
}

export function adminComponents({ ComponentLoader }: AdminJsModule): AdminComponents {
  const loader = new ComponentLoader();
  const add = (name: string, file: string) => loader.add(name, join(COMPONENTS_DIR, file));
  return {
    loader,
    OrderDetail: add('OrderDetail', 'order-detail.tsx'),
    CaseDetail: add('CaseDetail', 'case-detail.tsx'),
    ActionForm: add('ActionForm', 'action-form.tsx'),
    OrderStatusCounts: add('OrderStatusCounts', 'order-status-counts.tsx'),
    TemplateEditor: add('TemplateEditor', 'template-editor.tsx'),
    CheckboxGroups: add('CheckboxGroups', 'checkbox-groups.tsx'),
    ChangePassword: add('ChangePassword', 'change-password.tsx'),
    Backups: add('Backups', 'backups.tsx'),
    Integrations: add('Integrations', 'integrations.tsx'),
    ReportsPage: add('ReportsPage', 'reports-page.tsx'),
    ExceptionQueues: add('ExceptionQueues', 'exception-queues.tsx'),
    StatusBadge: add('StatusBadge', 'status-badge.tsx'),
    MoneyValue: add('MoneyValue', 'money-value.tsx'),
    OrderList: add('OrderList', 'order-list.tsx'),
    BatchAction: add('BatchAction', 'batch-action.tsx'),
    CustomersPage: add('CustomersPage', 'customers-page.tsx'),
    SettingsPage: add('SettingsPage', 'settings-page.tsx'),
    CodeLabels: add('CodeLabels', 'code-labels.tsx'),
    RoleFilter: add('RoleFilter', 'role-filter.tsx'),
    DefaultOnCheckbox: add('DefaultOnCheckbox', 'default-on-checkbox.tsx'),
    SidebarPages: loader.override('SidebarPages', join(COMPONENTS_DIR, 'sidebar-pages.tsx')),
    CustomerMessage: add('CustomerMessage', 'customer-message.tsx'),
    UserMenu: loader.override('LoggedIn', join(COMPONENTS_DIR, 'user-menu.tsx')),
    PickListDetail: add('PickListDetail', 'pick-list-detail.tsx'),
    ShipmentDocuments: add('ShipmentDocuments', 'shipment-documents.tsx'),
    WmsHandling: add('WmsHandling', 'wms-handling.tsx'),
    ProductStock: add('ProductStock', 'product-stock.tsx'),
    DateTimeList: loader.override('DefaultDatetimeListProperty', join(COMPONENTS_DIR, 'datetime-list.tsx')),
    DateTimeShow: loader.override('DefaultDatetimeShowProperty', join(COMPONENTS_DIR, 'datetime-show.tsx')),
  };
}
