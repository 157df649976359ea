import type { RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { OrderLine } from '../../orders/order-line.entity';
import { OrderStatusHistory } from '../../orders/order-status-history.entity';
import { Order } from '../../orders/order.entity';
import { allocateOrderAction } from '../actions/allocate-order.action';
import { batchActions } from '../actions/batch-actions';
import { amendOrderAction } from '../actions/amend-order.action';
import { mergeOrderAction } from '../actions/merge-order.action';
import { newOrderAction } from '../actions/new-order.action';
import { openCaseAction } from '../actions/open-case.action';
import { operatorActions } from '../actions/operator-action';
import { orderDecisionActions } from '../actions/order-actions';
import { recordPaymentAction } from '../actions/record-payment.action';
import { shippingActions } from '../actions/shipping.actions';
import { NAVIGATION, readOnlyActions, requirePermission } from '../admin-access';
import { orderRecordLoader } from './order-details';
import { orderSearchHandler } from './order-search';
import { orderStatusCounts } from './order-status-counts';
import { codeLabelProperty, HIDDEN, moneyProperty, type ResourceDeps, statusProperty } from './resource-deps';

const NOT_SORTABLE = { isSortable: false } as const;

/**
 * Orders are changed only through the services the API uses (src/admin/actions), never edited as rows. The list is the
 * API's search (order-search.ts); the detail page and every action form are React components (src/admin/components).
 */
export function orderResources(deps: ResourceDeps): ResourceWithOptions[] {
  const { adminjs, components, orders, batch, merge, fulfillment, inventory, settings, tracking, cases, notifications, identity, db } = deps;
  const orderRecord = orderRecordLoader(orders, tracking, notifications);
  const operator = operatorActions({ adminjs, identity, recordOf: orderRecord, formComponent: components.ActionForm });
  const decisions = orderDecisionActions(orders, batch);
  const shipping = shippingActions(orders, fulfillment, settings);
  const { form } = operator;
  const read = readOnlyActions('orders.read');

  const order: ResourceWithOptions = {
    resource: Order,
    options: {
      navigation: NAVIGATION.orders,
      titleProperty: 'number',
      listProperties: ['number', 'status', 'channel', 'customerName', 'customerPhone', 'grandTotal', 'placedAt'],
      // G2.5 combined search; `sku` is a line of the order (order_line), searched by OrdersService.list
      filterProperties: ['q', 'number', 'status', 'customerPhone', 'sku', 'channel', 'placedAt'],
      properties: {
        number: { ...NOT_SORTABLE, description: 'descOrderNumber' },
        status: { ...NOT_SORTABLE, ...statusProperty(components, 'orderStatus') },
        channel: { ...NOT_SORTABLE, ...codeLabelProperty(components, 'channel') },
        customerName: NOT_SORTABLE,
        customerPhone: { ...NOT_SORTABLE, description: 'descOrderPhone' },
        grandTotal: { ...NOT_SORTABLE, ...moneyProperty(components) },
        itemsTotal: moneyProperty(components),
        shippingFee: moneyProperty(components),
        paymentAmount: moneyProperty(components),
        placedAt: NOT_SORTABLE,
        sku: { type: 'string', isVisible: { list: false, filter: true, show: false, edit: false }, description: 'descOrderSku' },
        // issue 14 item 6: one search box (part of number, name, phone or SKU); the list's own search bar sets it
        q: { type: 'string', isVisible: { list: false, filter: true, show: false, edit: false } },
        paymentStatus: statusProperty(components, 'paymentStatus'),
        processInstanceId: { reference: 'ProcessInstance' },
        flags: { isVisible: HIDDEN },
        shippingAddress: { isVisible: HIDDEN },
        version: { isVisible: HIDDEN },
      },
      actions: {
        ...read,
        // the list with its search bar, export and a refresh while the workflow moves approved orders on (order-list.tsx)
        list: { ...read.list, component: components.OrderList, handler: orderSearchHandler(adminjs, orders, settings) },
        show: {
          ...read.show,
          component: components.OrderDetail,
          // G2.5: the detail page shows the order as OrdersService does, with its shipments' tracking and alerts
          handler: async (_request, _response, context): Promise<RecordActionResponse> => {
            const record = await orderRecord(String(context.record?.id()), context);
            if (!record) throw new adminjs.NotFoundError(`Order ${String(context.record?.id())} was not found`, 'Order#show');
            return { record };
          },
        },
        byStatus: {
          actionType: 'resource',
          icon: 'BarChart2',
          component: components.OrderStatusCounts,
          isAccessible: requirePermission('orders.read'),
          handler: async (_request, _response, context) => ({ counts: await orderStatusCounts(db, context.h, context.currentAdmin) }),
        },
        newOrder: form(newOrderAction(orders)),
        approve: operator.direct(decisions.approve),
        reject: form(decisions.reject),
        amend: form(amendOrderAction(orders)),
        allocate: form(allocateOrderAction(orders, inventory)),
        recordPayment: form(recordPaymentAction(orders)),
        merge: form(mergeOrderAction(orders, merge)),
        pack: form(shipping.pack),
        ship: form(shipping.ship),
        confirmReceipt: operator.direct(decisions.confirmReceipt),
        cancel: form(decisions.cancel),
        // G1.6: after-sales starts from the order the goods left with
        openCase: form(openCaseAction(orders, cases)),
        // issue 14 item 6: on the list's selection, each order through the single action's service and permission
        ...batchActions({ adminjs, identity, orders, batch, inventory, settings, component: components.BatchAction }),
      },
    },
  };

  const orderLine: ResourceWithOptions = {
    resource: OrderLine,
    options: {
      navigation: NAVIGATION.orders,
      sort: { sortBy: 'orderId', direction: 'desc' },
      listProperties: ['orderId', 'lineNo', 'sku', 'name', 'quantity', 'unitPrice', 'reserved', 'shipped'],
      filterProperties: ['orderId', 'sku'],
      properties: { unitPrice: moneyProperty(components) },
      actions: readOnlyActions('orders.read'),
    },
  };

  const statusHistory: ResourceWithOptions = {
    resource: OrderStatusHistory,
    options: {
      navigation: NAVIGATION.orders,
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['at', 'orderId', 'fromStatus', 'toStatus', 'by', 'note'],
      filterProperties: ['orderId', 'toStatus', 'by', 'at'],
      properties: {
        fromStatus: statusProperty(components, 'orderStatus'),
        toStatus: statusProperty(components, 'orderStatus'),
      },
      actions: readOnlyActions('orders.read'),
    },
  };

  return [order, orderLine, statusHistory];
}
