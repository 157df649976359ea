import { normaliseMoney } from '../common/money';
import type { ShipmentView } from '../fulfillment/fulfillment.service';
import { trackingUrlOf } from '../tracking/carriers/carriers';
import type { OrderLine } from './order-line.entity';
import type { OrderStatusHistory } from './order-status-history.entity';
import type { Order } from './order.entity';

/** The order as API.md shows it. */
export function toOrderView(order: Order, lines: OrderLine[], history: OrderStatusHistory[], shipments: ShipmentView[]) {
  return {
    id: order.id,
    number: order.number,
    channel: order.channel,
    externalId: order.externalId,
    status: order.status,
    flags: order.flags,
    customer: { name: order.customerName, phone: order.customerPhone, email: order.customerEmail, locale: order.customerLocale },
    shippingAddress: order.shippingAddress,
    lines: [...lines]
      .sort((a, b) => a.lineNo - b.lineNo)
      .map((line) => ({ sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: normaliseMoney(line.unitPrice)!, reserved: line.reserved, shipped: line.shipped })),
    totals: { items: normaliseMoney(order.itemsTotal)!, shipping: normaliseMoney(order.shippingFee)!, grand: normaliseMoney(order.grandTotal)! },
    payment: {
      method: order.paymentMethod,
      status: order.paymentStatus,
      amount: normaliseMoney(order.paymentAmount),
      reference: order.paymentReference,
      paidAt: order.paidAt ? order.paidAt.toISOString() : null,
    },
    notes: order.notes,
    shipments: shipments.map((shipment) => ({ ...shipment, trackingUrl: trackingUrlOf(shipment.carrier, shipment.trackingNumber) })),
    history: [...history]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((entry) => ({ at: entry.at.toISOString(), from: entry.fromStatus, to: entry.toStatus, by: entry.by, note: entry.note })),
    approvedBy: order.approvedBy,
    processInstanceId: order.processInstanceId,
    placedAt: order.placedAt.toISOString(),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type OrderView = ReturnType<typeof toOrderView>;
