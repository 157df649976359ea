import type { CarrierAdapter, TrackedParcel, TrackingEvent } from './carrier-adapter';

const HOUR = 3_600_000;

/**
 * A carrier for demos and tests: a parcel goes in transit 2 hours after it was handed over, out for delivery at 20 hours
 * and is delivered at 24 hours. `fetchEvents` returns the events that have happened by `now`; the same parcel always
 * yields the same events, so feeding them again stores nothing twice.
 */
export class SimulatedCarrier implements CarrierAdapter {
  readonly code = 'simulated';
  readonly name = 'Simulated carrier';

  static readonly SCHEDULE: ReadonlyArray<{ afterHours: number; event: Omit<TrackingEvent, 'at'> }> = [
    { afterHours: 2, event: { status: 'in_transit', location: '上海转运中心', description: '快件已揽收 (picked up)' } },
    { afterHours: 12, event: { status: 'in_transit', location: '杭州转运中心', description: '快件到达 (arrived at hub)' } },
    { afterHours: 20, event: { status: 'out_for_delivery', location: '杭州西湖区营业部', description: '派送中 (out for delivery)' } },
    { afterHours: 24, event: { status: 'delivered', location: '杭州西湖区', description: '已签收 (delivered)' } },
  ];

  trackingUrl(trackingNumber: string): string {
    return `https://www.kuaidi100.com/chaxun?nu=${encodeURIComponent(trackingNumber)}`;
  }

  async fetchEvents(parcel: TrackedParcel, now: Date = new Date()): Promise<TrackingEvent[]> {
    const shippedAt = parcel.shippedAt ?? now;
    return SimulatedCarrier.SCHEDULE
      .map(({ afterHours, event }) => ({ ...event, at: new Date(shippedAt.getTime() + afterHours * HOUR).toISOString() }))
      .filter((event) => new Date(event.at) <= now);
  }

  /** Every event of the parcel's journey, as if it had all happened (a demo "advance to delivered"). */
  async allEvents(parcel: TrackedParcel): Promise<TrackingEvent[]> {
    return this.fetchEvents(parcel, new Date(8.64e15));
  }
}
