import type { ActionContext } from 'adminjs';
import { CreatePickListDto } from '../../fulfillment/dto/pick-list.dto';
import type { FulfillmentService } from '../../fulfillment/fulfillment.service';
import type { PickListService } from '../../fulfillment/pick-list.service';
import { PACKABLE_SHIPMENT_STATUSES } from '../../fulfillment/shipment-status';
import type { ShipmentStatus } from '../../fulfillment/shipment.entity';
import { ReceiveStockDto, StockAdjustmentDto } from '../../inventory/dto/inventory.dto';
import { unknownNamedInBody } from '../../inventory/inventory.errors';
import type { InventoryService, StockLevelView } from '../../inventory/inventory.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { ChangeDone, DirectActionSpec, FormActionSpec } from './operator-action';
import { packedNotice } from './waybill-notice';

const warehouseField = (options: FormField['options']): FormField => ({ name: 'warehouse', label: 'Warehouse', kind: 'select', required: true, options });
const SKU: FormField = { name: 'sku', label: 'SKU', kind: 'text', required: true, help: 'the product code, exactly as in the catalogue' };

const RECEIVE_FIELDS = (warehouses: FormField['options']): FormField[] => [
  warehouseField(warehouses),
  SKU,
  { name: 'quantity', label: 'Quantity received', kind: 'integer', required: true, help: 'a positive whole number' },
  { name: 'reference', label: 'Reference', kind: 'text', help: 'purchase order or delivery note number (optional)' },
];

const ADJUST_FIELDS = (warehouses: FormField['options']): FormField[] => [
  warehouseField(warehouses),
  SKU,
  { name: 'delta', label: 'Change', kind: 'integer', required: true, help: 'positive adds units, negative removes them (e.g. -2)' },
  { name: 'reason', label: 'Reason', kind: 'textarea', required: true, help: 'recorded in the stock ledger, e.g. stock count, damaged, lost' },
];

const WAVE_FIELDS = (warehouses: FormField['options']): FormField[] => [
  warehouseField(warehouses),
  { name: 'maxShipments', label: 'Shipments in the wave', kind: 'integer', help: 'at most 200; oldest first; 20 if empty' },
];

const levelText = (level: StockLevelView) => `on hand ${level.onHand}, reserved ${level.reserved}, available ${level.available}`;

/**
 * G2.3 in the admin: goods received (入库) and adjustments with a reason (调整), through InventoryService.adjust exactly
 * as POST /api/inventory/adjustments: the ledger row is written with the change, and stock arriving wakes the orders
 * waiting for it (awaiting_stock → allocation), so "restock and let the system continue" needs no API call.
 */
export function stockActions(inventory: InventoryService) {
  const warehouses = async () => (await inventory.activeWarehouses()).map((warehouse) => ({ value: warehouse.code, label: `${warehouse.code} ${warehouse.name}` }));
  /** The level changed, shown next: the stock level's page. */
  const done = async (level: StockLevelView, message: string): Promise<ChangeDone> => ({ recordId: (await inventory.levelId(level.warehouse, level.sku))!, message });
  const adjust = async (warehouse: string, sku: string, delta: number, reason: string, by: string) => {
    try {
      return await inventory.adjust(warehouse, sku, delta, reason, by);
    } catch (error) {
      throw unknownNamedInBody(error);
    }
  };

  const receive: FormActionSpec = {
    actionType: 'resource',
    permission: 'inventory.write',
    icon: 'PlusSquare',
    form: async () => {
      const options = await warehouses();
      return {
        title: 'Receive goods',
        intro: 'Adds the units to the warehouse’s stock on hand. Orders waiting for this SKU are allocated at once.',
        sections: [{ fields: RECEIVE_FIELDS(options) }],
        values: { warehouse: options[0]?.value },
        submitLabel: 'Confirm receipt',
        ...(options.length === 0 ? { blocked: 'There is no active warehouse' } : {}),
      };
    },
    submit: async (input, actor) => {
      const body = await validateLikeTheApi(ReceiveStockDto, readForm(RECEIVE_FIELDS([]), input));
      const level = await adjust(body.warehouse, body.sku, body.quantity, body.reference ? `received: ${body.reference}` : 'received', actor.name);
      return done(level, `Received ${body.quantity} of ${body.sku} in ${body.warehouse}: ${levelText(level)}`);
    },
  };

  const adjustStock: FormActionSpec = {
    actionType: 'resource',
    permission: 'inventory.write',
    icon: 'Sliders',
    form: async () => {
      const options = await warehouses();
      return {
        title: 'Adjust stock',
        intro: 'Corrects the stock on hand after a count, damage or loss. Units reserved for orders cannot be removed.',
        sections: [{ fields: ADJUST_FIELDS(options) }],
        values: { warehouse: options[0]?.value },
        submitLabel: 'Save adjustment',
        ...(options.length === 0 ? { blocked: 'There is no active warehouse' } : {}),
      };
    },
    submit: async (input, actor) => {
      const body = await validateLikeTheApi(StockAdjustmentDto, readForm(ADJUST_FIELDS([]), input));
      const level = await adjust(body.warehouse, body.sku, body.delta, body.reason, actor.name);
      return done(level, `Adjusted ${body.sku} in ${body.warehouse} by ${body.delta > 0 ? '+' : ''}${body.delta}: ${levelText(level)}`);
    },
  };

  return { receive, adjust: adjustStock };
}

/**
 * G1.4 pick lists in the admin, through PickListService as POST /api/pick-lists and /confirm: a wave of a warehouse's
 * waiting shipments (they become picking), and the confirmation that the goods are at the packing bench.
 */
export function pickListActions(pickLists: PickListService) {
  const createWave: FormActionSpec = {
    actionType: 'resource',
    permission: 'shipments.write',
    icon: 'Layers',
    form: async () => {
      const waiting = await pickLists.waitingToPick();
      const options = waiting.map((warehouse) => ({ value: warehouse.code, label: `${warehouse.code} ${warehouse.name} (${warehouse.shipments})` }));
      const first = waiting.find((warehouse) => warehouse.shipments > 0);
      return {
        title: 'Create a pick wave',
        intro: 'Takes the warehouse’s shipments waiting to be picked, oldest first, into one pick list in walking order of the bins. The number of waiting shipments is in brackets.',
        sections: [{ fields: WAVE_FIELDS(options) }],
        values: { warehouse: first?.code ?? options[0]?.value, maxShipments: '20' },
        submitLabel: 'Create pick list',
        ...(first ? {} : { blocked: 'No shipment is waiting to be picked in any warehouse' }),
      };
    },
    submit: async (input, actor) => {
      const body = await validateLikeTheApi(CreatePickListDto, readForm(WAVE_FIELDS([]), input));
      const pickList = await pickLists.create(body.warehouse, body.maxShipments, actor.name);
      return { recordId: pickList.id, message: `Pick list ${pickList.number} created with ${pickList.shipments.length} shipment(s)` };
    },
  };

  const confirmPicked: DirectActionSpec = {
    permission: 'shipments.write',
    icon: 'CheckSquare',
    guard: 'confirmPickListPicked',
    isVisible: ({ record }: ActionContext) => record?.get('status') === 'open',
    run: async (actor, context) => {
      const pickList = await pickLists.confirm(String(context.record?.id()), actor.name);
      return { recordId: pickList.id, message: `Pick list ${pickList.number} confirmed as picked` };
    },
  };

  return { createWave, confirmPicked };
}

/**
 * G1.4 pack confirmation from the shipment's page (打包), as POST /api/shipments/{id}/pack: the goods of a picked (or
 * allocated) shipment are boxed; a merged parcel is packed from its lead shipment, which the service says.
 */
export function packShipmentAction(fulfillment: FulfillmentService): DirectActionSpec {
  return {
    permission: 'shipments.write',
    icon: 'Package',
    guard: 'confirmPackShipment',
    // a shipment a WMS works is packed in the WMS (issue 15 item 5; `wmsHandling` set by the shipment page)
    isVisible: ({ record }: ActionContext) => PACKABLE_SHIPMENT_STATUSES.includes(record?.get('status') as ShipmentStatus) && !record?.get('wmsHandling'),
    run: async (actor, context) => {
      const shipment = await fulfillment.pack(String(context.record?.id()), actor.name);
      return { recordId: shipment.id, message: packedNotice(`Shipment of order ${shipment.orderNumber} packed`, shipment.waybill) };
    },
  };
}

/**
 * 重新获取电子面单 on a packed shipment still without its number (issue 15 item 4): the carrier's label service was down at
 * packing; the worker retries by itself, and this asks at once, as POST /api/shipments/{id}/waybill.
 */
export function fetchWaybillAction(fulfillment: FulfillmentService): DirectActionSpec {
  return {
    permission: 'shipments.write',
    icon: 'RefreshCw',
    guard: 'confirmFetchWaybill',
    isVisible: ({ record }: ActionContext) => record?.get('status') === 'packed' && !record?.get('trackingNumber'),
    run: async (actor, context) => {
      const shipment = await fulfillment.fetchWaybill(String(context.record?.id()));
      return { recordId: shipment.id, message: packedNotice(`E-waybill asked again for order ${shipment.orderNumber}`, shipment.waybill) };
    },
  };
}
