import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors';
import { normaliseMoney } from '../../common/money';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { queryOne, queryRows } from '../../database/sql';
import { SettingsService } from '../../settings/settings.service';
import { isUuid } from '../fulfillment.service';
import { renderInvoice } from './invoice';
import { renderPackingSlip } from './packing-slip';
import type { ShipmentDocumentData } from './shipment-document-data';
import { renderShippingLabel, renderShippingLabels } from './shipping-label';

export const SHIPMENT_DOCUMENTS = ['label', 'packing-slip', 'invoice'] as const;
export type ShipmentDocument = (typeof SHIPMENT_DOCUMENTS)[number];

const RENDERERS: Record<ShipmentDocument, (data: ShipmentDocumentData) => Promise<Buffer>> = {
  label: renderShippingLabel,
  'packing-slip': renderPackingSlip,
  invoice: renderInvoice,
};

/**
 * G1.4 documents of a shipment as PDFs. The order is read straight from its tables (read-only): going through
 * OrdersService would make fulfillment and orders depend on each other.
 */
@Injectable()
export class ShipmentDocumentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  async render(shipmentId: string, document: ShipmentDocument): Promise<{ pdf: Buffer; filename: string }> {
    const data = await this.load(shipmentId);
    const pdf = await RENDERERS[document](data);
    return { pdf, filename: `${document}-${data.order.number}-${shipmentId.slice(0, 8)}.pdf` };
  }

  /** The labels of several shipments (a pick list's wave) in one PDF, one page each, in the order given. */
  async renderLabels(shipmentIds: string[], name: string): Promise<{ pdf: Buffer; filename: string }> {
    const labels = [];
    for (const id of shipmentIds) labels.push(await this.load(id));
    return { pdf: await renderShippingLabels(labels, `面单 ${name}`), filename: `labels-${name}.pdf` };
  }

  async load(shipmentId: string): Promise<ShipmentDocumentData> {
    if (!isUuid(shipmentId)) throw new NotFoundError('Shipment', shipmentId);
    const manager = this.db.manager;
    const r = await queryOne<Record<string, unknown>>(
      manager,
      `SELECT s.id, s.status, s.carrier, s.tracking_number, s.packed_at, s.created_at, s.warehouse_id,
              w.code AS warehouse_code, w.name AS warehouse_name, w.province AS warehouse_province, w.city AS warehouse_city,
              o.id AS order_id, o.number, o.placed_at, o.paid_at, o.payment_method, o.payment_status, o.payment_amount,
              o.customer_name, o.customer_phone, o.customer_email, o.shipping_address, o.shipping_fee, o.notes
         FROM shipment s JOIN warehouse w ON w.id = s.warehouse_id JOIN customer_order o ON o.id = s.order_id
        WHERE s.id = $1`,
      [shipmentId],
    );
    if (!r) throw new NotFoundError('Shipment', shipmentId);
    const [shipmentLines, orderLines, settings] = await Promise.all([
      queryRows<{ sku: string; name: string; quantity: number; bin: string | null }>(
        manager,
        `SELECT l.sku, coalesce(nullif(min(ol.name), ''), p.name, '') AS name, l.quantity, sl.bin
           FROM shipment_line l
           LEFT JOIN order_line ol ON ol.order_id = $2 AND ol.sku = l.sku
           LEFT JOIN product p ON p.sku = l.sku
           LEFT JOIN stock_level sl ON sl.warehouse_id = $3 AND sl.sku = l.sku
          WHERE l.shipment_id = $1
          GROUP BY l.id, l.sku, l.quantity, p.name, sl.bin ORDER BY l.sku`,
        [shipmentId, r.order_id, r.warehouse_id],
      ),
      queryRows<{ line_no: number; sku: string; name: string; quantity: number; unit_price: string }>(
        manager,
        `SELECT line_no, sku, name, quantity, unit_price FROM order_line WHERE order_id = $1 ORDER BY line_no`,
        [r.order_id],
      ),
      this.settings.get(),
    ]);
    return {
      shop: { name: this.config.SHOP_NAME },
      timeZone: settings.timeZone,
      shipment: {
        id: r.id as string,
        status: r.status as string,
        carrier: r.carrier as string | null,
        trackingNumber: r.tracking_number as string | null,
        packedAt: r.packed_at as Date | null,
        createdAt: r.created_at as Date,
        lines: shipmentLines,
      },
      warehouse: { code: r.warehouse_code as string, name: r.warehouse_name as string, province: r.warehouse_province as string, city: r.warehouse_city as string },
      order: {
        id: r.order_id as string,
        number: r.number as string,
        placedAt: r.placed_at as Date,
        paidAt: r.paid_at as Date | null,
        paymentMethod: r.payment_method as string,
        paymentStatus: r.payment_status as string,
        paymentAmount: normaliseMoney(r.payment_amount as string | null),
        customer: { name: r.customer_name as string, phone: r.customer_phone as string, email: r.customer_email as string | null },
        address: (r.shipping_address ?? {}) as ShipmentDocumentData['order']['address'],
        lines: orderLines.map((line) => ({ lineNo: line.line_no, sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: normaliseMoney(line.unit_price)! })),
        shippingFee: normaliseMoney(r.shipping_fee as string)!,
        notes: r.notes as string | null,
      },
    };
  }
}
