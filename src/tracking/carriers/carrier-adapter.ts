/** Carrier tracking event statuses (API.md "Warehouse and shipping"); anything else from a carrier is refused (422). */
export const TRACKING_EVENT_STATUSES = ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned'] as const;
export type TrackingEventStatus = (typeof TRACKING_EVENT_STATUSES)[number];

export interface TrackingEvent {
  /** ISO 8601 with offset. */
  at: string;
  status: TrackingEventStatus;
  location?: string | null;
  description?: string | null;
}

/** What a shipment looks like to a carrier adapter. */
export interface TrackedParcel {
  carrier: string;
  trackingNumber: string;
  shippedAt: Date | null;
}

/**
 * One carrier (G1.5). `trackingUrl` is where a person follows the parcel; `fetchEvents`, where the carrier has an API
 * to poll, returns its events (pushes arrive at POST /api/carriers/{carrier}/events instead).
 */
export interface CarrierAdapter {
  readonly code: string;
  readonly name: string;
  trackingUrl(trackingNumber: string): string;
  fetchEvents?(parcel: TrackedParcel, now?: Date): Promise<TrackingEvent[]>;
}
