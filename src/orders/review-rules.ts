import { mainlandProvinceOf } from '../common/china-regions';
import { fromCents, normaliseMoney, toCents } from '../common/money';
import type { OrderFlag, ShippingAddress } from './order.entity';

/** Everything a review rule may look at; gathered once by the orders service. */
export interface ReviewSubject {
  customerPhone: string;
  shippingAddress: ShippingAddress;
  paymentStatus: 'paid' | 'pending';
  /** What was paid, and what the order costs now (an amendment can raise it). */
  paymentAmount: string | null;
  grandTotal: string;
  lines: Array<{ sku: string; quantity: number }>;
  products: Map<string, { name: string; purchaseLimit: number | null; active: boolean }>;
  /** Units available across all warehouses, per sku. */
  available: Map<string, number>;
  /** The provinces delivered to (settings); all of mainland China when absent. */
  deliveryArea?: ReadonlySet<string>;
}

export interface ReviewRule {
  code: string;
  /** Blocking flags hold the order for a person; out_of_stock only routes it to wait for restock (G1.3). */
  blocking: boolean;
  check(subject: ReviewSubject): string | null;
}

// G1.2: mainland mobile (1[3-9] + 9 digits, optional +86), landline with area code, or E.164 abroad
const MOBILE = /^(\+?86[ -]?)?1[3-9]\d{9}$/;
const LANDLINE = /^(\+?86[ -]?)?0\d{2,3}[ -]?\d{7,8}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

export function isValidPhone(phone: string): boolean {
  const compact = phone.trim().replace(/[\s()-]/g, ''); // 138-0013-8000, (010) 1234-5678, +86 138 0013 8000
  if (MOBILE.test(compact) || LANDLINE.test(compact)) return true;
  return E164.test(compact) && !compact.startsWith('+86');
}

export function isInMainlandChina(address: ShippingAddress): boolean {
  return mainlandProvinceOf(address) !== null;
}

/** Missing, null (an integration's way of saying missing) or only spaces. */
const blank = (value: string | null | undefined) => typeof value !== 'string' || value.trim() === '';

export const REVIEW_RULES: ReviewRule[] = [
  {
    code: 'address_incomplete',
    blocking: true,
    check: ({ shippingAddress: a }) => {
      const missing = (['province', 'city', 'line1'] as const).filter((field) => blank(a[field]));
      if (missing.length) return `The shipping address is missing ${missing.join(', ')}; confirm the address with the customer`;
      if (a.line1.trim().length < 4) return 'The street address is too short to deliver to; confirm it with the customer';
      return null;
    },
  },
  {
    code: 'phone_invalid',
    blocking: true,
    check: ({ customerPhone }) => (isValidPhone(customerPhone) ? null : `The contact number "${customerPhone}" is not a valid phone number`),
  },
  {
    code: 'unknown_sku',
    blocking: true,
    check: ({ lines, products }) => {
      const unknown = [...new Set(lines.filter((line) => !products.get(line.sku)?.active).map((line) => line.sku))];
      return unknown.length ? `Unknown or inactive SKU: ${unknown.join(', ')}` : null;
    },
  },
  {
    code: 'purchase_limit_exceeded',
    blocking: true,
    check: ({ lines, products }) => {
      const over = quantitiesBySku(lines).filter(([sku, quantity]) => {
        const limit = products.get(sku)?.purchaseLimit;
        return limit != null && quantity > limit;
      });
      return over.length
        ? `Over the purchase limit: ${over.map(([sku, quantity]) => `${sku} × ${quantity} (limit ${products.get(sku)!.purchaseLimit})`).join(', ')}`
        : null;
    },
  },
  {
    code: 'outside_delivery_area',
    blocking: true,
    check: ({ shippingAddress, deliveryArea }) => {
      if (blank(shippingAddress.province)) return null; // address_incomplete says it
      const province = mainlandProvinceOf(shippingAddress);
      if (province && (!deliveryArea || deliveryArea.has(province))) return null;
      const where = [shippingAddress.country, shippingAddress.province].filter(Boolean).join(' ');
      return province ? `${where} is outside the delivery area set in the settings` : `${where} is outside the delivery area (mainland China)`;
    },
  },
  {
    code: 'payment_unconfirmed',
    blocking: true,
    check: ({ paymentStatus, paymentAmount, grandTotal }) => {
      if (paymentStatus !== 'paid') return 'The payment has not arrived yet; the order waits for it';
      if (paymentAmount !== null && toCents(paymentAmount) < toCents(grandTotal)) {
        const missing = fromCents(toCents(grandTotal) - toCents(paymentAmount));
        return `Paid ${normaliseMoney(paymentAmount)} but the order total is ${normaliseMoney(grandTotal)}: ask the customer to pay the ${missing} missing, or amend the order`;
      }
      return null;
    },
  },
  {
    code: 'out_of_stock',
    blocking: false,
    check: ({ lines, products, available }) => {
      const short = quantitiesBySku(lines).filter(([sku, quantity]) => products.has(sku) && (available.get(sku) ?? 0) < quantity);
      return short.length
        ? `Not enough stock: ${short.map(([sku, quantity]) => `${sku} needs ${quantity}, ${available.get(sku) ?? 0} available`).join(', ')}`
        : null;
    },
  },
];

function quantitiesBySku(lines: Array<{ sku: string; quantity: number }>): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals.entries()];
}

export function reviewOrder(subject: ReviewSubject): { flags: OrderFlag[]; blocked: boolean } {
  const flags: OrderFlag[] = [];
  let blocked = false;
  for (const rule of REVIEW_RULES) {
    const message = rule.check(subject);
    if (message) {
      flags.push({ code: rule.code, message });
      blocked ||= rule.blocking;
    }
  }
  return { flags, blocked };
}
