/** What the label, packing slip and invoice of one shipment print, read in one go (documents never change data). */
export interface ShipmentDocumentData {
  shop: { name: string };
  timeZone: string;
  shipment: {
    id: string;
    status: string;
    carrier: string | null;
    trackingNumber: string | null;
    packedAt: Date | null;
    createdAt: Date;
    lines: Array<{ sku: string; name: string; quantity: number; bin: string | null }>;
  };
  warehouse: { code: string; name: string; province: string; city: string };
  order: {
    id: string;
    number: string;
    placedAt: Date;
    paidAt: Date | null;
    paymentMethod: string;
    paymentStatus: string;
    paymentAmount: string | null;
    customer: { name: string; phone: string; email: string | null };
    address: { province?: string; city?: string; district?: string; line1?: string; postalCode?: string };
    lines: Array<{ lineNo: number; sku: string; name: string; quantity: number; unitPrice: string }>;
    shippingFee: string;
    notes: string | null;
  };
}

/** Chinese names of the carrier codes in settings (API.md "Reports and settings"). */
export const CARRIER_NAMES: Record<string, string> = {
  sf: '顺丰速运',
  zto: '中通快递',
  yto: '圆通速递',
  sto: '申通快递',
  yunda: '韵达快递',
  jd: '京东物流',
  ems: '中国邮政 EMS',
};

export const carrierName = (code: string | null): string => (code ? (CARRIER_NAMES[code] ? `${CARRIER_NAMES[code]} (${code})` : code) : '承运商待定 / carrier pending');

export function formatAddress(address: ShipmentDocumentData['order']['address']): string {
  return [address.province, address.city === address.province ? '' : address.city, address.district, address.line1].filter(Boolean).join(' ');
}

export function formatTime(date: Date | null, timeZone: string): string {
  if (!date) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
