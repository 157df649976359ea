import { randomUUID } from 'node:crypto';
import { CreateOrderDto } from '../../orders/dto/create-order.dto';
import type { OrdersService } from '../../orders/orders.service';
import type { FormSection } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { fieldsOf, NOTES_FIELD, ORDER_SECTIONS } from './order-form-fields';

/** Orders typed in by the back office (G1.1 "entered by hand") come from this channel. */
export const MANUAL_CHANNEL = 'manual';
/** The form's own idempotency key: submitting the same form twice finds the order the first submit created. */
const EXTERNAL_ID = /^ADMIN-[0-9a-f-]{36}$/i;

const PAYMENT_METHODS = ['bank_transfer', 'alipay', 'wechat_pay', 'cash_on_delivery', 'cash', 'other'];

const SECTIONS: FormSection[] = [
  ...ORDER_SECTIONS,
  {
    title: 'Payment',
    fields: [
      { name: 'payment.method', label: 'Payment method', kind: 'select', required: true, options: PAYMENT_METHODS.map((value) => ({ value, label: value })) },
      {
        name: 'payment.status',
        label: 'Payment status',
        kind: 'select',
        required: true,
        options: [{ value: 'pending', label: 'pending: waits for the money' }, { value: 'paid', label: 'paid: already received' }],
      },
      { name: 'payment.amount', label: 'Amount paid', kind: 'money', help: 'when paid; the order total if empty' },
      { name: 'shippingFee', label: 'Shipping fee', kind: 'money' },
    ],
  },
  { title: 'Notes', fields: [NOTES_FIELD, { name: 'externalId', label: 'Entry reference', kind: 'text', readOnly: true }] },
];
const FIELDS = fieldsOf(SECTIONS);

/**
 * G1.1 manual entry: the order goes through OrdersService.intake, like POST /api/orders, with channel `manual`, checked
 * by the same CreateOrderDto, so bad input is a field error and creates nothing, and business problems are flags.
 */
export function newOrderAction(orders: OrdersService): FormActionSpec {
  return {
    actionType: 'resource',
    permission: 'orders.write',
    icon: 'Plus',
    form: async () => ({
      title: 'New order',
      intro: 'An order taken by phone or in person. It is reviewed like any other: what review finds is flagged on the order.',
      sections: SECTIONS,
      values: { externalId: `ADMIN-${randomUUID()}`, lines: [{}], payment: { method: 'bank_transfer', status: 'pending' } },
      submitLabel: 'Create order',
    }),
    submit: async (input, actor) => {
      const values = readForm(FIELDS, input);
      const externalId = typeof values.externalId === 'string' && EXTERNAL_ID.test(values.externalId) ? values.externalId : `ADMIN-${randomUUID()}`;
      const body = await validateLikeTheApi(CreateOrderDto, {
        // empty parts are checked field by field ("customer.phone is required"), not as one missing object
        customer: {},
        shippingAddress: {},
        lines: [],
        ...values,
        channel: MANUAL_CHANNEL,
        externalId,
      });
      const { order, created } = await orders.intake(body, actor);
      const flags = order.flags.length > 0 ? `; flagged: ${order.flags.map((flag) => flag.code).join(', ')}` : '';
      return { recordId: order.id, message: created ? `Order ${order.number} created; it is ${order.status}${flags}` : `This form was submitted before: order ${order.number}` };
    },
  };
}
