import type { ActionContext, ActionRequest } from 'adminjs';
import type { Actor } from '../../common/actor';
import { ReasonDto } from '../../orders/dto/create-order.dto';
import { APPROVABLE_STATUSES, CANCELLABLE_STATUSES, type OrderStatus } from '../../orders/order-status';
import type { OrderView } from '../../orders/order-view';
import type { OrderBatchService } from '../../orders/order-batch.service';
import type { OrdersService } from '../../orders/orders.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { DirectActionSpec, FormActionSpec } from './operator-action';

/** The order a record action is on. */
export const orderIdOf = (context: ActionContext): string => String(context.record?.id());

/** The button shows for orders in these statuses (the service decides again, and says why not). */
export const inStatus =
  (statuses: readonly OrderStatus[]) =>
  ({ record }: ActionContext): boolean =>
    statuses.includes(record?.get('status') as OrderStatus);

const REASON: FormField[] = [{ name: 'reason', label: 'Reason', kind: 'textarea', required: true, help: 'Recorded in the order history; at most 500 characters' }];

async function reasonFrom(input: Record<string, unknown>): Promise<string> {
  return (await validateLikeTheApi(ReasonDto, readForm(REASON, input))).reason;
}

const by = (actor: Actor) => `by ${actor.name} in the admin`;

/**
 * G2.2: approve, reject with a reason, cancel with a reason where the rules allow; G1.6: confirm receipt for the
 * customer. The same OrdersService calls and permissions as the API's routes.
 */
export function orderDecisionActions(orders: OrdersService, batch: Pick<OrderBatchService, 'settle'>) {
  const approve: DirectActionSpec = {
    permission: 'orders.approve',
    icon: 'CheckCircle',
    guard: 'confirmApproveOrder',
    isVisible: (context) => inStatus(APPROVABLE_STATUSES)(context) && !context.record?.get('approvedAt'),
    run: async (actor: Actor, context: ActionContext, request: ActionRequest) => {
      const note = typeof request.payload?.reason === 'string' && request.payload.reason.trim() ? request.payload.reason.trim().slice(0, 500) : `approved ${by(actor)}`;
      const view = await orders.approve(orderIdOf(context), actor, note);
      // the page that opens next shows where the workflow took the order, not pending_review (issue 14 item 6)
      await batch.settle([view.id]);
      return { recordId: view.id, message: `Order ${view.number} approved` };
    },
  };

  const confirmReceipt: DirectActionSpec = {
    permission: 'orders.write',
    icon: 'Home',
    guard: 'confirmReceiptOfOrder',
    isVisible: inStatus(['shipped', 'delivered']),
    run: async (actor, context) => {
      const view = await orders.confirmReceipt(orderIdOf(context), actor);
      return { recordId: view.id, message: `Order ${view.number} confirmed as received; it is now ${view.status}` };
    },
  };

  /** A decision that needs a reason for the history (ReasonDto, as the API's reject and cancel). */
  const withReason = (spec: Pick<FormActionSpec, 'permission' | 'icon' | 'isVisible'> & {
    verb: string;
    past: string;
    intro: string;
    run(orderId: string, reason: string, actor: Actor): Promise<OrderView>;
  }): FormActionSpec => ({
    actionType: 'record',
    permission: spec.permission,
    icon: spec.icon,
    variant: 'danger',
    isVisible: spec.isVisible,
    form: async (context) => ({
      title: `${spec.verb} order ${context.record?.get('number')}`,
      intro: spec.intro,
      sections: [{ fields: REASON }],
      values: {},
      submitLabel: `${spec.verb} order`,
      variant: 'danger',
    }),
    submit: async (input, actor, context) => {
      const view = await spec.run(orderIdOf(context), await reasonFrom(input), actor);
      return { recordId: view.id, message: `Order ${view.number} ${spec.past}; it is now ${view.status}` };
    },
  });

  const reject = withReason({
    permission: 'orders.approve',
    icon: 'XCircle',
    isVisible: inStatus(['pending_review']),
    verb: 'Reject',
    past: 'rejected',
    intro: 'The order moves to exception and waits for a person; the reason is recorded in its history.',
    run: (orderId, reason, actor) => orders.reject(orderId, reason, actor),
  });

  const cancel = withReason({
    permission: 'orders.write',
    icon: 'Slash',
    // before shipped: the statuses from which the status machine allows `cancelled`
    isVisible: inStatus(CANCELLABLE_STATUSES),
    verb: 'Cancel',
    past: 'cancelled',
    intro: 'Reserved stock is released, open shipments are cancelled and the order workflow ends. This cannot be undone.',
    run: (orderId, reason, actor) => orders.cancel(orderId, reason, actor),
  });

  return { approve, reject, cancel, confirmReceipt };
}
