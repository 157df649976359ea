import { PaymentConfirmationDto } from '../../orders/dto/create-order.dto';
import type { OrdersService } from '../../orders/orders.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { inStatus, orderIdOf } from './order-actions';

const FIELDS: FormField[] = [
  { name: 'amount', label: 'Amount received', kind: 'money', required: true },
  { name: 'reference', label: 'Payment reference', kind: 'text', required: true, help: 'the bank or payment provider’s transaction number' },
  { name: 'paidAt', label: 'Paid at', kind: 'datetime', help: 'now if empty' },
];

/**
 * G2.6 payment exceptions: finance saw the money arrive (bank transfer, a payment retried with the customer); the order
 * moves on to review (OrdersService.confirmPayment, as POST /api/orders/{id}/payments).
 */
export function recordPaymentAction(orders: OrdersService): FormActionSpec {
  return {
    actionType: 'record',
    permission: 'orders.write',
    icon: 'DollarSign',
    isVisible: inStatus(['pending_payment']),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      return {
        title: `Record the payment of order ${view.number}`,
        intro: `The order total is ${view.totals.grand} (${view.payment.method}). After the payment the order is reviewed.`,
        sections: [{ fields: FIELDS }],
        values: { amount: view.totals.grand },
        submitLabel: 'Record payment',
      };
    },
    submit: async (input, actor, context) => {
      const payment = await validateLikeTheApi(PaymentConfirmationDto, readForm(FIELDS, input));
      const view = await orders.confirmPayment(orderIdOf(context), payment, actor);
      return { recordId: view.id, message: `Payment ${payment.reference} of ${payment.amount} recorded on order ${view.number}; it is now ${view.status}` };
    },
  };
}
