import type { CarrierAdapter } from './carrier-adapter';

/** A carrier whose parcels a person follows on kuaidi100's public tracking page; no polling API. */
export class LinkOnlyCarrier implements CarrierAdapter {
  constructor(
    readonly code: string,
    readonly name: string,
    private readonly kuaidi100Code: string,
  ) {}

  trackingUrl(trackingNumber: string): string {
    return `https://www.kuaidi100.com/chaxun?com=${this.kuaidi100Code}&nu=${encodeURIComponent(trackingNumber)}`;
  }
}
