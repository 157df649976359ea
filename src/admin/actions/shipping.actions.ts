import { ValidationError } from '../../common/errors';
import type { FulfillmentService } from '../../fulfillment/fulfillment.service';
import { ShipShipmentDto } from '../../orders/dto/create-order.dto';
import { OPEN_SHIPMENT_STATUSES, PACKABLE_SHIPMENT_STATUSES } from '../../fulfillment/shipment-status';
import type { ShipmentStatus } from '../../fulfillment/shipment.entity';
import { SHIPPABLE_STATUSES } from '../../orders/order-status';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { SettingsService } from '../../settings/settings.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { packedNotice } from './waybill-notice';
import { inStatus, orderIdOf } from './order-actions';

/** Orders with allocated units that may leave now. */
/** Shipments the warehouse may still pack (FulfillmentService.pack: from allocated or picking). */

const describe = (shipment: OrderView['shipments'][number]) =>
  `${shipment.warehouse} (${shipment.status}): ${shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ')}`;

const PACK_FIELDS = (options: FormField['options']): FormField[] => [{ name: 'shipmentId', label: 'Shipment', kind: 'select', required: true, options }];

/**
 * G1.4 / G2.4 on the order's page: pack a shipment (FulfillmentService.pack, as POST /api/shipments/{id}/pack) and confirm
 * the shipment with carrier and tracking number where no WMS does it (OrdersService.ship, as POST /api/orders/{id}/shipments).
 */
export function shippingActions(orders: OrdersService, fulfillment: FulfillmentService, settings: SettingsService) {
  const packable = async (orderId: string) => {
    const view = await orders.get(orderId);
    const waiting = view.shipments.filter((shipment) => PACKABLE_SHIPMENT_STATUSES.includes(shipment.status as ShipmentStatus));
    // issue 15 item 5: those a WMS works are packed in the WMS
    const staffs = await Promise.all(waiting.map(async (shipment) => (await fulfillment.getShipment(shipment.id)).wms === null));
    return { view, shipments: waiting.filter((_, index) => staffs[index]) };
  };

  const pack: FormActionSpec = {
    actionType: 'record',
    permission: 'shipments.write',
    icon: 'Package',
    isVisible: inStatus(SHIPPABLE_STATUSES),
    form: async (context) => {
      const { view, shipments } = await packable(orderIdOf(context));
      const options = shipments.map((shipment) => ({ value: shipment.id, label: describe(shipment) }));
      return {
        title: `Pack a shipment of order ${view.number}`,
        intro: 'The goods are boxed and the documents printed; the stock leaves the warehouse when the carrier takes the parcel.',
        sections: [{ fields: PACK_FIELDS(options) }],
        values: { shipmentId: options[0]?.value },
        submitLabel: 'Confirm packed',
        ...(shipments.length === 0 ? { blocked: `No shipment of order ${view.number} is waiting to be packed` } : {}),
      };
    },
    submit: async (input, actor, context) => {
      const { view, shipments } = await packable(orderIdOf(context));
      const { shipmentId } = readForm(PACK_FIELDS([]), input);
      const shipment = shipments.find((candidate) => candidate.id === shipmentId);
      if (!shipment) throw ValidationError.of('shipmentId', `must be a shipment of order ${view.number} waiting to be packed`);
      const packed = await fulfillment.pack(shipment.id, actor.name);
      return { recordId: view.id, message: packedNotice(`Shipment from ${shipment.warehouse} of order ${view.number} packed`, packed.waybill) };
    },
  };

  const shipFields = async (): Promise<FormField[]> => [
    // G3.1: the carriers in the order the settings prefer them
    { name: 'carrier', label: 'Carrier', kind: 'select', required: true, options: (await settings.get()).carrierPriority.map((code) => ({ value: code, label: code })) },
    { name: 'trackingNumber', label: 'Tracking number', kind: 'text', required: true, help: '6-40 letters, digits or -' },
  ];

  const ship: FormActionSpec = {
    actionType: 'record',
    permission: 'shipments.write',
    icon: 'Truck',
    isVisible: inStatus(SHIPPABLE_STATUSES),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      const fields = await shipFields();
      const open = view.shipments.filter((shipment) => OPEN_SHIPMENT_STATUSES.includes(shipment.status as ShipmentStatus));
      const labelled = open.find((shipment) => shipment.carrier && shipment.trackingNumber);
      return {
        title: `Ship order ${view.number}`,
        intro: `The carrier took the parcel: ${open.map(describe).join('; ') || 'no open shipment'}. The order becomes shipped and the stock leaves the warehouse.`,
        sections: [{ fields }],
        // a parcel packed with an e-waybill (issue 15 item 4) already has its carrier and number: offered as they are
        values: labelled ? { carrier: labelled.carrier, trackingNumber: labelled.trackingNumber } : { carrier: fields[0].options?.[0]?.value },
        submitLabel: 'Confirm shipment',
      };
    },
    submit: async (input, actor, context) => {
      const { carrier, trackingNumber } = await validateLikeTheApi(ShipShipmentDto, readForm(await shipFields(), input));
      const view = await orders.ship(orderIdOf(context), carrier, trackingNumber, actor);
      return { recordId: view.id, message: `Order ${view.number} shipped with ${carrier} ${trackingNumber}; it is now ${view.status}` };
    },
  };

  return { pack, ship };
}
