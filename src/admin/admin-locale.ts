import type { BrandingOptions, Locale } from 'adminjs';

export const ADMIN_BRANDING: BrandingOptions = {
  companyName: 'OMS',
  logo: false,
  withMadeWithLove: false,
};

const resourceLabels = {
  Order: 'Orders',
  OrderLine: 'Order lines',
  OrderStatusHistory: 'Order status history',
  Notification: 'Customer messages',
  NotificationTemplateVersion: 'Templates',
  SystemAlert: 'Undelivered-message alerts',
  Product: 'Products',
  Warehouse: 'Warehouses',
  StockLevel: 'Stock levels',
  StockMovement: 'Stock movements',
  Shipment: 'Shipments',
  AfterSalesCase: 'After-sales cases',
  // navigation group names are labels too (AdminJS would write "After Sales")
  'After-sales': 'After-sales',
  WorkflowDefinition: 'Workflow definitions',
  ProcessInstance: 'Process instances',
  Incident: 'Incidents',
  User: 'Users',
  Role: 'Roles',
  ApiKey: 'API keys',
  AuditEntry: 'Audit log',
};

/** English; resource and field names in the words the back office uses. */
export const ADMIN_LOCALE: Locale = {
  language: 'en',
  availableLanguages: ['en'],
  localeDetection: false,
  translations: {
    en: {
      labels: resourceLabels,
      actions: {
        approve: 'Approve',
        reject: 'Reject',
        cancel: 'Cancel order',
        amend: 'Amend',
        allocate: 'Allocate',
        recordPayment: 'Record payment',
        merge: 'Merge with another order',
        pack: 'Pack',
        ship: 'Ship',
        confirmReceipt: 'Confirm receipt',
        newOrder: 'New order',
        byStatus: 'By status',
        editInModeler: 'Edit in modeler',
        openModeler: 'Modeler',
        openDiagram: 'Open diagram',
        openInstance: 'Open instance diagram',
        openTasklist: 'Tasklist',
        openCase: 'Open after-sales case',
        resolve: 'Resolve',
        revoke: 'Revoke',
      },
      pages: { changePassword: 'Change my password', reports: 'Reports / 报表' },
      components: {
        Login: { welcomeHeader: 'OMS back office', welcomeMessage: 'Sign in with your OMS account' },
      },
      messages: {
        confirmApproveOrder: 'Approve this order? Its workflow goes on to reserve stock.',
        confirmReceiptOfOrder: 'Confirm that the customer received this order? It becomes completed.',
        invalidCredentials: 'Wrong email or password',
        confirmResolveAlert: 'Mark this alert resolved? Do it once the customer has been told another way or the cause is fixed.',
      },
      resources: {
        Order: {
          properties: {
            processInstanceId: 'Process instance',
            grandTotal: 'Total',
            customerPhone: 'Phone',
            placedAt: 'Placed',
            sku: 'SKU',
          },
        },
        OrderLine: { properties: { orderId: 'Order' } },
        OrderStatusHistory: { properties: { orderId: 'Order', fromStatus: 'From', toStatus: 'To' } },
        Notification: { properties: { dataText: 'Data', nextAttemptAt: 'Next attempt', lastError: 'Last error', sentAt: 'Sent' } },
        // the resource's list is the template editor
        NotificationTemplateVersion: { actions: { list: 'Notification templates' } },
        SystemAlert: { properties: { resolvedAt: 'Resolved', resolvedBy: 'Resolved by', createdAt: 'Raised' } },
        StockLevel: { properties: { warehouseId: 'Warehouse', onHand: 'On hand' } },
        StockMovement: { properties: { warehouseId: 'Warehouse' } },
        Shipment: { properties: { orderId: 'Order', warehouseId: 'Warehouse' } },
        ProcessInstance: { properties: { definitionId: 'Definition', waitingText: 'Waiting at', variablesText: 'Variables' } },
        Incident: { properties: { instanceId: 'Process instance' } },
        AfterSalesCase: {
          actions: { approve: 'Approve', reject: 'Reject', receive: 'Receive return', inspect: 'QC inspection', refund: 'Refund', close: 'Close case' },
          properties: {
            orderId: 'Order',
            slaDueAt: 'SLA due',
            overdue: 'Overdue',
            escalatedAt: 'Escalated',
            receivedWarehouseId: 'Received at',
            qcResult: 'QC result',
            refundAmount: 'Refunded',
            processInstanceId: 'Process instance',
            openedBy: 'Opened by',
          },
        },
      },
    },
  },
};
