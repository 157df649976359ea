import type { EntityManager } from 'typeorm';

/**
 * Where a shipment's e-waybill stands (issue 15 item 4, G1.4 "prints the shipping label from the carrier's label system"):
 * `pending` while it is being requested (retried by the worker; the label says 运单号待分配 meanwhile), `issued` with the
 * carrier's number on the shipment, `failed` when the retries ran out (a retry starts them again). A plain type, shared
 * with the admin.
 */
export interface WaybillState {
  status: 'pending' | 'issued' | 'failed';
  carrier: string;
  trackingNumber: string | null;
  /** What the packer is told (the admin says it in the user's language from the fields). */
  message: string;
  attempts: number;
  lastError: string | null;
}

/**
 * What the carriers' side does when a parcel is packed (registered by src/integrations/kuaidi100: the warehouse knows no
 * connectors; its tracking subscription listens to shipping with FulfillmentService.onShipmentsShipped). The
 * in-transaction hook only writes a durable row; the provider is called after commit.
 */
export interface CarrierHooks {
  /** In the pack's transaction: a waybill is to be requested for this parcel (when its carrier has an e-waybill). */
  packed(manager: EntityManager, shipmentId: string): Promise<void>;
  /** After the pack committed, outside any transaction: requests the waybill at once; null when the parcel has none. */
  afterPacked(shipmentId: string): Promise<WaybillState | null>;
  /** A person asks again for a packed parcel's e-waybill (its service was down); an issued one is answered as it is. */
  retryWaybill(shipmentId: string): Promise<{ waybill: WaybillState }>;
}
