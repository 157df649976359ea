/**
 * The moments customers hear from the shop (G3.2, issue 7), with the data each template gets. Which of them go out, and on
 * which channels, is the settings' `notifications.events`; a diagram's notify.send task may send any of them.
 */
export const NOTIFICATION_EVENTS = [
  'order-confirmation',
  'payment-received',
  'payment-reminder',
  'order-shipped',
  'delivery-problem',
  'order-delivered',
  'order-cancelled',
  'after-sales-opened',
  'after-sales-approved',
  'after-sales-rejected',
  'after-sales-refunded',
  'replacement-shipped',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const NOTIFICATION_CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_LOCALES = ['zh-CN', 'en'] as const;

export const EVENT_DESCRIPTIONS: Record<NotificationEvent, string> = {
  'order-confirmation': 'the order was accepted and its stock reserved',
  'payment-received': 'a pending payment arrived',
  'payment-reminder': 'customer service asks the customer to pay (unpaid in time, or paid short)',
  'order-shipped': 'a parcel left with its carrier (tracking link)',
  'delivery-problem': 'the carrier reported a problem or tracking went quiet',
  'order-delivered': 'every parcel of the order was delivered',
  'order-cancelled': 'the order was cancelled (unpaid in time, or by customer service)',
  'after-sales-opened': 'an after-sales case was opened',
  'after-sales-approved': 'customer service accepted the case (what happens next)',
  'after-sales-rejected': 'customer service declined the case (with the reason)',
  'after-sales-refunded': 'finance refunded the case',
  'replacement-shipped': 'the replacement of a case left with its carrier',
};

/** A parcel as templates see it. */
export interface ShipmentData {
  carrier: string;
  carrierName: string;
  trackingNumber: string;
  trackingUrl: string | null;
}

/** What every template is rendered with; the event decides which optional parts are present. */
export interface NotificationData {
  shop: { name: string };
  /** The customer's locale after fallback; the template set it picked. */
  locale?: string;
  /** The shop's time zone (settings) that dates are shown in. */
  timeZone?: string;
  order: {
    number: string;
    placedAt: string;
    status: string;
    customer: { name: string; phone: string | null; email: string | null };
    shippingAddress: { province?: string; city?: string; district?: string; line1?: string; postalCode?: string };
    lines: Array<{ sku: string; name: string; quantity: number; unitPrice: string }>;
    totals: { items: string; shipping: string; grand: string };
    currency: string;
    payment?: { amount: string | null; paidAt: string | null };
  };
  links: {
    /** The customer's signed after-sales link (open a return, follow it), null when none can be issued. */
    afterSales: string | null;
  };
  /** order-shipped, delivery-problem, replacement-shipped */
  shipment?: ShipmentData;
  /** delivery-problem */
  problem?: { kind: 'address_problem' | 'delivery_exception' | 'stale_tracking'; description: string };
  /** order-cancelled; `unpaid`: the payment deadline passed (templates word that themselves) */
  cancellation?: { reason: string; unpaid?: boolean };
  /** after-sales-* and replacement-shipped */
  case?: { number: string; type: string; status: string; reason: string; lines: Array<{ sku: string; name: string; quantity: number }>; refundAmount: string | null; note: string | null };
}

/** A plausible order for previews and test sends without a real one (the admin's template editor). */
export function sampleNotificationData(event: NotificationEvent, shopName: string): NotificationData {
  const data: NotificationData = {
    shop: { name: shopName },
    order: {
      number: 'SO261201000042',
      placedAt: '2026-12-01T09:30:00.000Z',
      status: 'shipped',
      customer: { name: '张三', phone: '13800138000', email: 'zhangsan@example.com' },
      shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 3 单元 501', postalCode: '310000' },
      lines: [
        { sku: 'TEA-LJ-250', name: '西湖龙井茶 250克', quantity: 2, unitPrice: '128.00' },
        { sku: 'CUP-QH-01', name: '青花瓷茶杯', quantity: 1, unitPrice: '45.50' },
      ],
      totals: { items: '301.50', shipping: '10.00', grand: '311.50' },
      currency: 'CNY',
      payment: { amount: '311.50', paidAt: '2026-12-01T09:31:00.000Z' },
    },
    links: { afterSales: 'http://localhost:3000/returns/sample-link' },
  };
  const shipment: ShipmentData = { carrier: 'sf', carrierName: '顺丰速运 SF Express', trackingNumber: 'SF1234567890123', trackingUrl: 'https://www.kuaidi100.com/chaxun?com=shunfeng&nu=SF1234567890123' };
  if (event === 'order-shipped' || event === 'delivery-problem' || event === 'replacement-shipped') data.shipment = shipment;
  if (event === 'delivery-problem') data.problem = { kind: 'address_problem', description: '收件地址不详，快递员无法投递 / the courier could not find the address' };
  if (event === 'order-cancelled') data.cancellation = { reason: 'not paid within the time limit', unpaid: true };
  if (event.startsWith('after-sales') || event === 'replacement-shipped') {
    data.case = {
      number: 'AS261201000007',
      type: event === 'replacement-shipped' ? 'exchange' : 'return',
      status: { 'after-sales-opened': 'requested', 'after-sales-approved': 'approved', 'after-sales-rejected': 'rejected', 'after-sales-refunded': 'refunded' }[event as string] ?? 'replacement_shipped',
      reason: '尺码不合适 / does not fit',
      lines: [{ sku: 'CUP-QH-01', name: '青花瓷茶杯', quantity: 1 }],
      refundAmount: event === 'after-sales-refunded' ? '45.50' : null,
      note: event === 'after-sales-rejected' ? '超过售后期限 / outside the after-sales window' : null,
    };
  }
  return data;
}
