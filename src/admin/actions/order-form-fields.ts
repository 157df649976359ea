import type { OrderView } from '../../orders/order-view';
import type { FormField, FormSection } from '../ui-contract';

/** The parts of an order a person types (new order, amend), named as CreateOrderDto / AmendOrderDto name them. */
export const CUSTOMER_FIELDS: FormField[] = [
  { name: 'customer.name', label: 'Customer name', kind: 'text', required: true },
  { name: 'customer.phone', label: 'Phone', kind: 'text', required: true, help: 'a mainland mobile (13800138000), a landline with area code, or +country number' },
  { name: 'customer.email', label: 'Email', kind: 'text' },
];

export const ADDRESS_FIELDS: FormField[] = [
  { name: 'shippingAddress.province', label: 'Province', kind: 'text' },
  { name: 'shippingAddress.city', label: 'City', kind: 'text' },
  { name: 'shippingAddress.district', label: 'District', kind: 'text' },
  { name: 'shippingAddress.line1', label: 'Street address', kind: 'text' },
  { name: 'shippingAddress.postalCode', label: 'Postal code', kind: 'text' },
  { name: 'shippingAddress.country', label: 'Country', kind: 'text', help: 'leave empty for mainland China' },
];

export const LINES_FIELD: FormField = {
  name: 'lines',
  label: 'Lines',
  kind: 'rows',
  required: true,
  columns: [
    { name: 'sku', label: 'SKU', kind: 'text', required: true },
    { name: 'quantity', label: 'Quantity', kind: 'integer', required: true },
    { name: 'unitPrice', label: 'Unit price', kind: 'money', required: true },
  ],
};

export const NOTES_FIELD: FormField = { name: 'notes', label: 'Delivery notes', kind: 'textarea' };

export const ORDER_SECTIONS: FormSection[] = [
  { title: 'Customer', fields: CUSTOMER_FIELDS },
  { title: 'Ship to', fields: ADDRESS_FIELDS },
  { title: 'Lines', fields: [LINES_FIELD] },
];

export const fieldsOf = (sections: FormSection[]): FormField[] => sections.flatMap((section) => section.fields);

/** The order's current values in the shape of these fields (what the amend form starts from, and is compared with). */
export function orderFormValues(view: OrderView) {
  return {
    customer: { name: view.customer.name, phone: view.customer.phone, email: view.customer.email ?? undefined },
    shippingAddress: withoutEmpty(view.shippingAddress as unknown as Record<string, unknown>),
    lines: view.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: line.unitPrice })),
    notes: view.notes ?? undefined,
  };
}

export function withoutEmpty(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== null && value !== ''));
}
