import type { ActionContext, RecordJSON } from 'adminjs';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { LogisticsAlertView, TrackingService } from '../../tracking/tracking.service';
import { can } from '../admin-access';
import type { OrderDetail } from '../ui-contract';

/** Open alerts are few (each is someone's to-do); the detail page looks through at most this many for the order's. */
const OPEN_ALERTS_SHOWN = 500;

type Shipment = OrderView['shipments'][number];

/** Fields the fulfilment area adds to ShipmentView (why this warehouse, G1.3); read when present. */
const allocationReasonOf = (shipment: Shipment): string | null => {
  const value = (shipment as Shipment & { allocationReason?: unknown }).allocationReason;
  return typeof value === 'string' && value !== '' ? value : null;
};

/** The order detail page's data (G2.5): lines, flags, shipments with tracking and alerts, history, the process. */
export function orderDetail(view: OrderView, alerts: LogisticsAlertView[], context: Pick<ActionContext, 'currentAdmin' | 'h'>): OrderDetail {
  const instanceId = view.processInstanceId;
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
    process: instanceId
      ? {
          instanceId,
          diagramUrl: can(context.currentAdmin, 'workflows.read') ? `/admin/workflow-ui/instance?${new URLSearchParams({ id: instanceId })}` : null,
          recordUrl: can(context.currentAdmin, 'workflows.read') ? context.h.showUrl('ProcessInstance', instanceId) : null,
        }
      : null,
  };
}

function formatAddress(address: OrderView['shippingAddress']): string {
  return [address.province, address.city, address.district, address.line1, address.postalCode, address.country].filter(Boolean).join(' ');
}

/**
 * The Order record as the detail page and every order action answer it: AdminJS's record (its params, its buttons for
 * this status and this admin) plus `params.detail`. Undefined when the order does not exist.
 */
export function orderRecordLoader(orders: OrdersService, tracking: TrackingService) {
  return async (orderId: string, context: ActionContext): Promise<RecordJSON | undefined> => {
    const record = await context.resource.findOne(orderId, context);
    if (!record) return undefined;
    const [view, open] = await Promise.all([orders.get(orderId), tracking.alerts('open', 0, OPEN_ALERTS_SHOWN, null, orderId)]);
    const json = record.toJSON(context.currentAdmin);
    json.params.detail = orderDetail(view, open.items, context);
    return json;
  };
}
