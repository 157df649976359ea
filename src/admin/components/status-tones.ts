/** Issue 14: status badges coloured by meaning (components/status-badge.tsx); plain data, so the translation check can read it. */

/** What a status means to the person looking at it (issue 14: badges coloured by meaning). */
export type Tone = 'problem' | 'waiting' | 'moving' | 'done' | 'ended';

/** Each status-like code's tone, by word list (the same groups as src/admin/locale `enums`). */
export const STATUS_TONES: Record<string, Record<string, Tone>> = {
  orderStatus: {
    pending_payment: 'waiting',
    pending_review: 'waiting',
    exception: 'problem',
    awaiting_stock: 'waiting',
    awaiting_shipment: 'waiting',
    partially_shipped: 'moving',
    shipped: 'moving',
    delivered: 'done',
    completed: 'done',
    cancelled: 'ended',
  },
  shipmentStatus: {
    allocated: 'waiting',
    picking: 'waiting',
    packed: 'waiting',
    shipped: 'moving',
    in_transit: 'moving',
    delivered: 'done',
    exception: 'problem',
    cancelled: 'ended',
  },
  pickListStatus: { open: 'waiting', picked: 'done' },
  caseStatus: {
    requested: 'waiting',
    approved: 'waiting',
    rejected: 'ended',
    received: 'waiting',
    inspected: 'waiting',
    refunded: 'done',
    replacement_shipped: 'done',
    closed: 'ended',
  },
  trackingStatus: { in_transit: 'moving', out_for_delivery: 'moving', delivered: 'done', exception: 'problem', returned: 'problem' },
  qcResult: { pass: 'done', fail: 'problem' },
  messageStatus: { pending: 'waiting', sending: 'waiting', sent: 'done', dead: 'problem' },
  alertStatus: { open: 'problem', resolved: 'ended' },
  instanceStatus: { running: 'moving', waiting: 'waiting', completed: 'done', incident: 'problem', terminated: 'ended' },
  paymentStatus: { paid: 'done', pending: 'waiting' },
  flag: {
    address_incomplete: 'problem',
    phone_invalid: 'problem',
    unknown_sku: 'problem',
    purchase_limit_exceeded: 'problem',
    outside_delivery_area: 'problem',
    payment_unconfirmed: 'problem',
    out_of_stock: 'waiting',
  },
};

export const toneOf = (group: string, code: string): Tone => STATUS_TONES[group]?.[code] ?? 'ended';

