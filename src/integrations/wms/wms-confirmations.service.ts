import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { InvalidStateError } from '../../common/errors';
import { FulfillmentService, type ShipmentDetail } from '../../fulfillment/fulfillment.service';
import type { ShipmentStatus } from '../../fulfillment/shipment.entity';
import { OrderShippingService } from '../../orders/order-shipping.service';
import { type WmsCaller, WmsHandOffService } from './wms-hand-off.service';

/** Where a shipment stands once it left the carrier's hands or later: a pick, pack or ship confirmed again changes nothing. */
const HANDED_OVER: readonly ShipmentStatus[] = ['shipped', 'in_transit', 'delivered', 'exception'];
const PICKED_OR_LATER: readonly ShipmentStatus[] = ['picking', 'packed', ...HANDED_OVER];
const PACKED_OR_LATER: readonly ShipmentStatus[] = ['packed', ...HANDED_OVER];

/**
 * Issue 15 item 5: the WMS confirms pick, pack and ship (G1.4) of the shipments of the warehouses its connector runs, with
 * its API key (role wms). Each confirmation goes through the same services as the staff's (pack, ship: stock out, order
 * shipped, the customer notified, the diagram told), and each is idempotent: a WMS that retries a confirmation it is not
 * sure we received gets 200 and the shipment as it is. A shipment of another warehouse is 403 wms_not_its_warehouse.
 */
@Injectable()
export class WmsConfirmationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly fulfillment: FulfillmentService,
    private readonly shipping: OrderShippingService,
    private readonly wms: WmsHandOffService,
  ) {}

  /** Picked: allocated → picking (the goods are at the WMS's packing bench). */
  async pick(id: string, actor: Actor): Promise<ShipmentDetail> {
    const caller = await this.caller(id, actor);
    await this.db.transaction(async (manager) => {
      const shipment = await this.fulfillment.lockShipment(manager, id);
      if (PICKED_OR_LATER.includes(shipment.status)) return;
      if (shipment.status !== 'allocated') throw new InvalidStateError(`Shipment ${id} of order ${shipment.orderNumber} is ${shipment.status}; only allocated shipments can be picked`);
      await manager.query(`UPDATE shipment SET status = 'picking', updated_at = now() WHERE id = $1`, [id]);
      await this.fulfillment.recordHistory(manager, [id], 'allocated', 'picking', actor.name, `picked in the WMS ${caller.name}`);
    });
    return this.fulfillment.getShipment(id);
  }

  /** Packed: as POST /api/shipments/{id}/pack, which the staff may not do for this shipment. */
  async pack(id: string, actor: Actor): Promise<ShipmentDetail> {
    await this.caller(id, actor);
    if (PACKED_OR_LATER.includes((await this.fulfillment.getShipment(id)).status as ShipmentStatus)) return this.fulfillment.getShipment(id);
    return this.unlessDone(id, PACKED_OR_LATER, () => this.fulfillment.pack(id, actor.name, { byWms: true }));
  }

  /**
   * Shipped with the carrier's tracking number: as POST /api/shipments/{id}/ship. Again with the same carrier and number →
   * 200; with another number → 409 (a second parcel is not a retry).
   */
  async ship(id: string, carrier: string, trackingNumber: string, actor: Actor): Promise<ShipmentDetail> {
    await this.caller(id, actor);
    const sameParcel = (shipment: ShipmentDetail) => {
      if (!HANDED_OVER.includes(shipment.status as ShipmentStatus)) return false;
      if (shipment.carrier === carrier && shipment.trackingNumber === trackingNumber) return true;
      throw new InvalidStateError(`Shipment ${id} of order ${shipment.orderNumber} was shipped already with ${shipment.carrier} ${shipment.trackingNumber}`);
    };
    const current = await this.fulfillment.getShipment(id);
    if (sameParcel(current)) return current;
    try {
      await this.shipping.shipShipment(id, carrier, trackingNumber, actor);
    } catch (error) {
      // a retry racing the first confirmation: the first one shipped it
      if (!(error instanceof InvalidStateError) || !sameParcel(await this.fulfillment.getShipment(id))) throw error;
    }
    return this.fulfillment.getShipment(id);
  }

  /** 404 for an unknown shipment; the WMS the key answers for (403 for anyone else), and that it runs the shipment's warehouse (403). */
  private async caller(id: string, actor: Actor): Promise<WmsCaller> {
    return this.db.transaction(async (manager) => {
      const shipment = await this.fulfillment.lockShipment(manager, id);
      const caller = await this.wms.callerOf(manager, actor);
      await this.wms.assertRunsShipment(manager, caller, shipment);
      return caller;
    });
  }

  /** Runs `confirm`; a 409 because a concurrent confirmation got there first is the shipment as it now is. */
  private async unlessDone(id: string, done: readonly ShipmentStatus[], confirm: () => Promise<ShipmentDetail>): Promise<ShipmentDetail> {
    try {
      return await confirm();
    } catch (error) {
      if (error instanceof InvalidStateError) {
        const now = await this.fulfillment.getShipment(id);
        if (done.includes(now.status as ShipmentStatus)) return now;
      }
      throw error;
    }
  }
}
