import type { ActionContext, RecordJSON } from 'adminjs';
import type { NotificationsService } from '../../notifications/notifications.service';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { LogisticsAlertView, TrackingService } from '../../tracking/tracking.service';
import { instanceDiagramUrl } from '../actions/workflow-page-actions';
import { can } from '../admin-access';
import type { CustomerMessages, OrderDetail, ProcessLinks } from '../ui-contract';
import { customerMessages } from './customer-messages';

/** Open alerts are few (each is someone's to-do); the detail page looks through at most this many for the order's. */
const OPEN_ALERTS_SHOWN = 500;

type Shipment = OrderView['shipments'][number];

/** Fields the fulfilment area adds to ShipmentView (why this warehouse, G1.3); read when present. */
const allocationReasonOf = (shipment: Shipment): string | null => {
  const value = (shipment as Shipment & { allocationReason?: unknown }).allocationReason;
  return typeof value === 'string' && value !== '' ? value : null;
};

/** The order detail page's data (G2.5): lines, flags, shipments with tracking and alerts, history, the process, the customer's messages. */
export function orderDetail(
  view: OrderView,
  alerts: LogisticsAlertView[],
  messages: CustomerMessages | null,
  context: Pick<ActionContext, 'currentAdmin' | 'h'>,
): OrderDetail {
  return {
    id: view.id,
    number: view.number,
    status: view.status,
    channel: view.channel,
    externalId: view.externalId,
    placedAt: view.placedAt,
    updatedAt: view.updatedAt,
    flags: view.flags,
    customer: { name: view.customer.name, phone: view.customer.phone, email: view.customer.email },
    address: formatAddress(view.shippingAddress),
    notes: view.notes,
    lines: view.lines,
    totals: view.totals,
    payment: view.payment,
    approvedBy: view.approvedBy,
    shipments: view.shipments.map((shipment) => ({
      id: shipment.id,
      warehouse: shipment.warehouse,
      status: shipment.status,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      trackingUrl: shipment.trackingUrl,
      allocationReason: allocationReasonOf(shipment),
      lines: shipment.lines,
      events: shipment.events,
    })),
    alerts: alerts
      .filter((alert) => alert.orderId === view.id)
      .map((alert) => ({ id: alert.id, kind: alert.kind, message: alert.message, shipmentId: alert.shipmentId, createdAt: alert.createdAt })),
    history: view.history,
    process: processLinks(view.processInstanceId, context),
    messages,
  };
}

/** A process instance's diagram page ("Open diagram": the instance drawn with its current step) and its admin record. */
export function processLinks(instanceId: string | null, context: Pick<ActionContext, 'currentAdmin' | 'h'>): ProcessLinks | null {
  if (!instanceId) return null;
  const allowed = can(context.currentAdmin, 'workflows.read');
  return {
    instanceId,
    diagramUrl: allowed ? instanceDiagramUrl(instanceId) : null,
    recordUrl: allowed ? context.h.showUrl('ProcessInstance', instanceId) : null,
  };
}

function formatAddress(address: OrderView['shippingAddress']): string {
  return [address.province, address.city, address.district, address.line1, address.postalCode, address.country].filter(Boolean).join(' ');
}

/**
 * The Order record as the detail page and every order action answer it: AdminJS's record (its params, its buttons for
 * this status and this admin) plus `params.detail`. Undefined when the order does not exist.
 */
export function orderRecordLoader(orders: OrdersService, tracking: TrackingService, notifications: NotificationsService) {
  return async (orderId: string, context: ActionContext): Promise<RecordJSON | undefined> => {
    const record = await context.resource.findOne(orderId, context);
    if (!record) return undefined;
    const [view, open] = await Promise.all([orders.get(orderId), tracking.alerts('open', 0, OPEN_ALERTS_SHOWN, null, orderId)]);
    const json = record.toJSON(context.currentAdmin);
    json.params.detail = orderDetail(view, open.items, await customerMessages(notifications, view.number, context), context);
    return json;
  };
}
