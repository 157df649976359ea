import { ValidationError } from '../../common/errors';
import { MERGEABLE_STATUSES } from '../../orders/order-status';
import type { OrderMergeService } from '../../orders/order-merge.service';
import type { OrdersService } from '../../orders/orders.service';
import type { FormField } from '../ui-contract';
import { readForm } from './form-input';
import type { FormActionSpec } from './operator-action';
import { inStatus, orderIdOf } from './order-actions';

/**
 * Issue 5 item 5 on request: the operator picks another order of the same customer and address whose shipment waits to
 * be picked; both leave as one parcel (OrderMergeService.mergeOrders, as POST /api/orders/merge).
 */
export function mergeOrderAction(orders: OrdersService, merge: OrderMergeService): FormActionSpec {
  const fields = (options: Array<{ value: string; label: string }>): FormField[] => [
    { name: 'with', label: 'Merge with order', kind: 'select', required: true, options, help: 'orders of the same customer and address, not yet picked' },
  ];
  return {
    actionType: 'record',
    permission: 'orders.write',
    icon: 'Package',
    isVisible: inStatus(MERGEABLE_STATUSES),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      const candidates = await merge.candidatesFor(view.id);
      const options = candidates.map((c) => ({ value: c.id, label: `${c.number} (${c.status}, ${c.warehouses.join(', ')})` }));
      return {
        title: `Merge order ${view.number} with another into one parcel`,
        intro: 'The shipments of both orders from the same warehouse are picked, packed and shipped as one parcel; each order keeps its own status.',
        sections: [{ fields: fields(options) }],
        values: { with: options[0]?.value ?? '' },
        submitLabel: 'Merge',
        ...(candidates.length ? {} : { blocked: `No other order of ${view.customer.name} to the same address waits to be picked.` }),
      };
    },
    submit: async (input, actor, context) => {
      const { with: other } = readForm(fields([]), input) as { with?: string };
      if (!other) throw ValidationError.of('with', 'choose the order to merge with');
      const [parcel] = await merge.mergeOrders([orderIdOf(context), other], actor);
      return { recordId: orderIdOf(context), message: `Orders ${parcel.parcel.map((p) => p.orderNumber).join(', ')} leave ${parcel.warehouse} as one parcel` };
    },
  };
}
