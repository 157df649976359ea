import type { CarrierAdapter } from './carrier-adapter';
import { LinkOnlyCarrier } from './kuaidi100-link.carrier';
import { SimulatedCarrier } from './simulated.carrier';

/** The carriers an order ships with (the ship endpoints accept these; settings.schema.ts CARRIERS lists the same). */
export const CARRIER_CODES = ['sf', 'zto', 'yto', 'sto', 'yunda', 'jd', 'ems'] as const;
export type CarrierCode = (typeof CARRIER_CODES)[number];

const ADAPTERS: ReadonlyMap<string, CarrierAdapter> = new Map<string, CarrierAdapter>([
  ['sf', new LinkOnlyCarrier('sf', '顺丰速运 SF Express', 'shunfeng')],
  ['zto', new LinkOnlyCarrier('zto', '中通快递 ZTO', 'zhongtong')],
  ['yto', new LinkOnlyCarrier('yto', '圆通速递 YTO', 'yuantong')],
  ['sto', new LinkOnlyCarrier('sto', '申通快递 STO', 'shentong')],
  ['yunda', new LinkOnlyCarrier('yunda', '韵达快递 Yunda', 'yunda')],
  ['jd', new LinkOnlyCarrier('jd', '京东物流 JD Logistics', 'jd')],
  ['ems', new LinkOnlyCarrier('ems', '中国邮政 EMS', 'ems')],
]);

export const SIMULATED_CARRIER = new SimulatedCarrier();

export function isCarrierCode(code: string): code is CarrierCode {
  return (CARRIER_CODES as readonly string[]).includes(code);
}

export function carrierAdapter(code: string): CarrierAdapter | undefined {
  return ADAPTERS.get(code);
}

/** Where a person follows the parcel; null before it has a carrier and tracking number. */
export function trackingUrlOf(carrier: string | null, trackingNumber: string | null): string | null {
  if (!carrier || !trackingNumber) return null;
  return carrierAdapter(carrier)?.trackingUrl(trackingNumber) ?? null;
}
