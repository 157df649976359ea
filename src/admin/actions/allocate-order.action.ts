import type { InventoryService } from '../../inventory/inventory.service';
import { OPEN_SHIPMENT_STATUSES } from '../../fulfillment/shipment-status';
import type { ShipmentStatus } from '../../fulfillment/shipment.entity';
import { ManualAllocationDto } from '../../orders/dto/amend-order.dto';
import { ALLOCATABLE_STATUSES } from '../../orders/order-status';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { inStatus, orderIdOf } from './order-actions';

const LINES: FormField = {
  name: 'lines',
  label: 'Quantity to ship now',
  kind: 'rows',
  fixedRows: true,
  columns: [
    { name: 'sku', label: 'SKU', kind: 'text', readOnly: true },
    { name: 'ordered', label: 'Ordered', kind: 'integer', displayOnly: true },
    { name: 'quantity', label: 'Ship now', kind: 'integer', required: true },
  ],
};

const fields = (warehouses: FormField['options']): FormField[] => [
  {
    name: 'warehouse',
    label: 'Ship from',
    kind: 'select',
    options: warehouses,
    help: 'available units of this order’s SKUs in brackets; empty: the allocation rules choose (or the current warehouse stays)',
  },
  LINES,
];

/**
 * "The allocation rules choose" for an order: every unit not yet shipped. The API's allocation needs a warehouse or lines;
 * with lines and no warehouse the rules choose, or the current warehouse stays.
 */
export function everythingUnshipped(view: Pick<OrderView, 'lines'>): ManualAllocationDto {
  const unshipped = new Map<string, number>();
  for (const line of view.lines) unshipped.set(line.sku, (unshipped.get(line.sku) ?? 0) + line.quantity - line.shipped);
  return { lines: [...unshipped].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity })) };
}

/**
 * G2.3: where allocation needs a person, the operator chooses the warehouse and/or how much of each SKU ships now
 * (OrdersService.allocateManually, as POST /api/orders/{id}/allocation); all or nothing.
 */
export function allocateOrderAction(orders: OrdersService, inventory: InventoryService): FormActionSpec {
  /** Active warehouses, preferred first, each with what it has of the order's SKUs. */
  const warehouseChoices = async (skus: string[]) => {
    const [warehouses, levels] = await Promise.all([inventory.activeWarehouses(), inventory.availability(skus)]);
    return warehouses.map((warehouse) => {
      const stock = skus.map((sku) => `${sku}: ${levels.filter((level) => level.warehouseId === warehouse.id && level.sku === sku).reduce((sum, level) => sum + Number(level.available), 0)}`);
      return { value: warehouse.code, label: `${warehouse.code} ${warehouse.name}, ${warehouse.city} (${stock.join(', ')})` };
    });
  };

  return {
    actionType: 'record',
    permission: 'orders.write',
    icon: 'Archive',
    isVisible: inStatus(ALLOCATABLE_STATUSES),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      const skus = [...new Set(view.lines.map((line) => line.sku))];
      const current = view.shipments.find((shipment) => OPEN_SHIPMENT_STATUSES.includes(shipment.status as ShipmentStatus))?.warehouse;
      return {
        title: `Allocate order ${view.number} by hand`,
        intro: `Reserves the chosen units in one warehouse and replaces the order's open shipment${current ? ` (now from ${current})` : ''}. Fewer units than ordered ship now; the rest waits.`,
        sections: [{ fields: fields([{ value: '', label: '(the allocation rules choose)' }, ...(await warehouseChoices(skus))]) }],
        values: { warehouse: current ?? '', lines: view.lines.map((line) => ({ sku: line.sku, ordered: line.quantity, quantity: line.quantity })) },
        submitLabel: 'Allocate',
      };
    },
    submit: async (input, actor, context) => {
      const orderId = orderIdOf(context);
      const view = await orders.get(orderId);
      const values = readForm(fields([]), input) as { warehouse?: string; lines?: Array<{ sku?: string; quantity?: unknown }> };
      const ordered = new Map(view.lines.map((line) => [line.sku, line.quantity]));
      // quantities left as ordered are no choice: the API's `lines` names only what ships differently
      const changed = values.lines?.some((line) => ordered.get(line.sku ?? '') !== line.quantity);
      // neither a warehouse nor other quantities: the rules choose for what is not yet shipped (the API would refuse an empty choice)
      const choice = changed || values.warehouse ? await validateLikeTheApi(ManualAllocationDto, { warehouse: values.warehouse, ...(changed ? { lines: values.lines } : {}) }) : everythingUnshipped(view);
      const allocated = await orders.allocateManually(orderId, choice, actor);
      const from = [...new Set(allocated.shipments.filter((s) => OPEN_SHIPMENT_STATUSES.includes(s.status as ShipmentStatus)).map((s) => s.warehouse))].join(', ');
      return { recordId: orderId, message: `Order ${allocated.number} allocated${from ? ` to ${from}` : ''}; it is now ${allocated.status}` };
    },
  };
}
