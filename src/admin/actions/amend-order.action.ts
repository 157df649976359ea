import { ValidationError } from '../../common/errors';
import { normaliseMoney } from '../../common/money';
import { AmendOrderDto } from '../../orders/dto/amend-order.dto';
import { AMENDABLE_STATUSES } from '../../orders/order-status';
import type { OrdersService } from '../../orders/orders.service';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { inStatus, orderIdOf } from './order-actions';
import { fieldsOf, NOTES_FIELD, ORDER_SECTIONS, orderFormValues, withoutEmpty } from './order-form-fields';

const SECTIONS = [...ORDER_SECTIONS, { title: 'Notes', fields: [NOTES_FIELD] }];
const FIELDS = fieldsOf(SECTIONS);

type Values = ReturnType<typeof orderFormValues>;

/** Lines as compared: a price typed `19.9` is the `19.90` the order has. */
const comparableLines = (lines: unknown) =>
  Array.isArray(lines) ? lines.map((line: Values['lines'][number]) => ({ ...line, unitPrice: normaliseMoney(String(line.unitPrice)) ?? line.unitPrice })) : lines;

/** Equal as data: keys in any order (jsonb keeps its own order), nothing for an absent value. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, canonical(item)]));
}
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * G1.2: customer service fixes what review flagged (phone, address, lines, notes) while the order is held; only the
 * parts the operator changed are sent, as PATCH /api/orders/{id} would, and the order is reviewed again at once.
 */
export function amendOrderAction(orders: OrdersService): FormActionSpec {
  return {
    actionType: 'record',
    permission: 'orders.write',
    icon: 'Edit',
    isVisible: inStatus(AMENDABLE_STATUSES),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      return {
        title: `Amend order ${view.number}`,
        intro: 'Change what the customer confirmed. The order is reviewed again at once: fixed, it goes on by itself; still flagged, it stays held.',
        sections: SECTIONS,
        values: orderFormValues(view),
        submitLabel: 'Save and review again',
      };
    },
    submit: async (input, actor, context) => {
      const orderId = orderIdOf(context);
      const given = readForm(FIELDS, input) as Partial<Values>;
      const current = orderFormValues(await orders.get(orderId));
      const candidate: Record<string, unknown> = {
        // an emptied email is cleared (null), as PATCH does; an omitted one would be kept
        customer: { name: given.customer?.name, phone: given.customer?.phone, email: given.customer?.email ?? null },
        shippingAddress: withoutEmpty(given.shippingAddress ?? {}),
        lines: given.lines ?? [],
        notes: given.notes ?? null,
      };
      const changes = Object.fromEntries(
        // a part the form did not send at all is not a change (an empty field is sent, as '')
        Object.entries(candidate).filter(([part, value]) => {
          if (input[part] === undefined) return false;
          if (part === 'customer') return !same({ ...current.customer, email: current.customer.email ?? null }, value);
          if (part === 'lines') return !same(comparableLines(current.lines), comparableLines(value));
          if (part === 'notes') return (current.notes ?? null) !== value;
          return !same(current.shippingAddress, value);
        }),
      );
      if (Object.keys(changes).length === 0) throw new ValidationError('Nothing was changed: edit a field, then save');
      const view = await orders.amend(orderId, await validateLikeTheApi(AmendOrderDto, changes), actor);
      const flags = view.flags.length > 0 ? `; still flagged: ${view.flags.map((flag) => flag.code).join(', ')}` : '';
      return { recordId: view.id, message: `Order ${view.number} amended and reviewed again; it is now ${view.status}${flags}` };
    },
  };
}
