import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql';
import { FulfillmentService } from '../../fulfillment/fulfillment.service';
import { trackingUrlOf } from '../../tracking/carriers/carriers';
import { IntegrationPushesService } from '../outbound/integration-pushes.service';
import type { PushSender } from '../outbound/push-sender';
import { type FulfilmentPayload, sendShopifyFulfilment, sendTopWaybill, sendWooCommerceFulfilment } from './shop-fulfilment.senders';

export const FULFILMENT_TOPIC = 'fulfilment';

/** The shop platforms told of our shipments, and how each is told. */
const SENDERS: Readonly<Record<string, PushSender>> = {
  shopify: sendShopifyFulfilment,
  woocommerce: sendWooCommerceFulfilment,
  taobao: sendTopWaybill,
};

type ShippedRow = Omit<FulfilmentPayload, 'trackingUrl'> & { shipmentId: string; integrationId: string };

/**
 * Issue 15 item 2, outbound (G5.2): when a shipment of an order that came from a shop connector (its channel is the
 * connector's name) is handed to the carrier, the platform is told — a push `fulfilment:<shipment id>` queued in the ship's
 * transaction, once per shipment whatever retries the ship, and sent by the connectors' outbox (retries, dead letters,
 * paused connectors wait). Replacements of after-sales cases are ours, not the platform's order: they are not pushed.
 */
@Injectable()
export class ShopFulfilmentPushes implements OnModuleInit {
  constructor(
    private readonly fulfillment: FulfillmentService,
    private readonly pushes: IntegrationPushesService,
  ) {}

  onModuleInit(): void {
    this.fulfillment.onShipmentsShipped((manager, shipmentIds) => this.queue(manager, shipmentIds));
    for (const [kind, sender] of Object.entries(SENDERS)) this.pushes.register(kind, FULFILMENT_TOPIC, sender);
  }

  /** In the ship's transaction: a push for each shipped shipment whose order's channel is a shop connector. */
  async queue(manager: EntityManager, shipmentIds: string[]): Promise<void> {
    const rows = await queryRows<ShippedRow>(
      manager,
      `SELECT s.id AS "shipmentId", i.id AS "integrationId", o.number AS "orderNumber", o.external_id AS "externalId",
              s.carrier, s.tracking_number AS "trackingNumber",
              (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.sku) FROM shipment_line l WHERE l.shipment_id = s.id) AS lines,
              -- every unit of the order is in a shipment handed to the carrier (order_line.shipped is counted after this)
              NOT EXISTS (SELECT 1 FROM (SELECT sku, sum(quantity) AS quantity FROM order_line WHERE order_id = o.id GROUP BY sku) ol WHERE ol.quantity > (
                SELECT coalesce(sum(sl.quantity), 0) FROM shipment_line sl JOIN shipment h ON h.id = sl.shipment_id
                 WHERE h.order_id = o.id AND h.after_sales_case_id IS NULL AND sl.sku = ol.sku
                   AND h.status IN ('shipped', 'in_transit', 'delivered', 'exception'))) AS complete
         FROM shipment s
         JOIN customer_order o ON o.id = s.order_id
         JOIN integration i ON i.name = o.channel AND i.kind = ANY($2)
        WHERE s.id = ANY($1::uuid[]) AND s.status = 'shipped' AND s.after_sales_case_id IS NULL
        ORDER BY s.id`,
      [shipmentIds, Object.keys(SENDERS)],
    );
    for (const { shipmentId, integrationId, ...shipment } of rows) {
      const payload: FulfilmentPayload = { ...shipment, lines: shipment.lines ?? [], trackingUrl: trackingUrlOf(shipment.carrier, shipment.trackingNumber) };
      await this.pushes.enqueue(manager, integrationId, { topic: FULFILMENT_TOPIC, key: `fulfilment:${shipmentId}`, reference: shipment.orderNumber, payload: { ...payload } });
    }
  }
}
