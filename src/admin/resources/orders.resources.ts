import type { ActionContext, ActionRequest, RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { Notification } from '../../notifications/notification.entity';
import { OrderLine } from '../../orders/order-line.entity';
import { ORDER_STATUSES } from '../../orders/order-status';
import { OrderStatusHistory } from '../../orders/order-status-history.entity';
import { Order } from '../../orders/order.entity';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { orderActions } from '../actions/order-actions';
import { dropListParams } from '../admin-forms';
import { orderDetailParams } from './order-details';
import { choices, HIDDEN, jsonText, type ResourceDeps, SHOW_ONLY } from './resource-deps';

/** Orders are changed only through OrdersService (approve / reject / cancel), never edited as rows. */
export function orderResources({ adminjs, orders, identity }: ResourceDeps): ResourceWithOptions[] {
  const order: ResourceWithOptions = {
    resource: Order,
    options: {
      navigation: NAVIGATION.orders,
      titleProperty: 'number',
      sort: { sortBy: 'placedAt', direction: 'desc' },
      listProperties: ['number', 'status', 'customerName', 'customerPhone', 'grandTotal', 'placedAt'],
      filterProperties: ['number', 'status', 'customerPhone', 'channel', 'customerName', 'externalId', 'placedAt'],
      showProperties: [
        'number', 'status', 'flagList', 'channel', 'externalId', 'placedAt',
        'customerName', 'customerPhone', 'customerEmail', 'address',
        'lines', 'itemsTotal', 'shippingFee', 'grandTotal',
        'paymentMethod', 'paymentStatus', 'paymentAmount', 'paymentReference', 'paidAt',
        'shipments', 'history', 'notes', 'approvedBy', 'approvedAt', 'processInstanceId', 'createdAt', 'updatedAt',
      ],
      properties: {
        status: { availableValues: choices(ORDER_STATUSES) },
        paymentStatus: { availableValues: choices(['paid', 'pending']) },
        processInstanceId: { reference: 'ProcessInstance' },
        flags: { isVisible: HIDDEN },
        shippingAddress: { isVisible: HIDDEN },
        version: { isVisible: HIDDEN },
        address: { type: 'textarea', isVisible: SHOW_ONLY },
        flagList: { type: 'textarea', isVisible: SHOW_ONLY },
        lines: { type: 'textarea', isVisible: SHOW_ONLY },
        shipments: { type: 'textarea', isVisible: SHOW_ONLY },
        history: { type: 'textarea', isVisible: SHOW_ONLY },
      },
      actions: {
        ...readOnlyActions('orders.read'),
        show: {
          ...readOnlyActions('orders.read').show,
          // G2.5: the detail page shows lines, shipments and the full status history, as the API's order view has them
          after: async (response: RecordActionResponse, _request: ActionRequest, _context: ActionContext) => {
            const id = response.record?.id;
            if (id) Object.assign(response.record.params, orderDetailParams(await orders.get(String(id))));
            return response;
          },
        },
        ...orderActions(orders, identity),
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
        fromStatus: { availableValues: choices(ORDER_STATUSES) },
        toStatus: { availableValues: choices(ORDER_STATUSES) },
      },
      actions: readOnlyActions('orders.read'),
    },
  };

  // the outbox of customer messages: customer service checks here whether a confirmation went out
  const notification: ResourceWithOptions = {
    resource: Notification,
    options: {
      navigation: NAVIGATION.orders,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'channel', 'event', 'recipient', 'reference', 'status', 'attempts', 'sentAt'],
      filterProperties: ['channel', 'event', 'recipient', 'reference', 'status', 'createdAt'],
      showProperties: [
        'event', 'channel', 'locale', 'recipient', 'reference', 'status', 'attempts', 'nextAttemptAt', 'lastError',
        'providerMessageId', 'sentAt', 'createdAt', 'idempotencyKey', 'dataText',
      ],
      properties: {
        channel: { availableValues: choices(['email', 'sms']) },
        status: { availableValues: choices(['pending', 'sending', 'sent', 'dead']) },
        data: { isVisible: HIDDEN },
        lastError: { type: 'textarea' },
        dataText: { type: 'textarea', isVisible: SHOW_ONLY },
      },
      actions: {
        ...readOnlyActions('orders.read'),
        list: { ...readOnlyActions('orders.read').list, after: dropListParams('data') },
        show: {
          ...readOnlyActions('orders.read').show,
          after: async (response: RecordActionResponse) => {
            if (response.record?.params) response.record.params.dataText = jsonText(adminjs, response.record.params, 'data');
            return response;
          },
        },
      },
    },
  };

  return [order, orderLine, statusHistory, notification];
}
