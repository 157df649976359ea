import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { normaliseMoney } from '../common/money';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { FulfillmentService } from '../fulfillment/fulfillment.service';
import { type NotificationData, type NotificationEvent, sampleNotificationData, type ShipmentData } from '../notifications/notification-events';
import { NotificationTemplatesService } from '../notifications/notification-templates.service';
import { NotificationsService } from '../notifications/notifications.service';
import { carrierAdapter, trackingUrlOf } from '../tracking/carriers/carriers';
import { OrderRecords } from './order-records';
import type { OrderLine } from './order-line.entity';
import type { Order } from './order.entity';

/** The parts of a notification only some events have. */
export type NotificationExtras = Partial<Pick<NotificationData, 'shipment' | 'problem' | 'cancellation' | 'case'>>;

/** The customer's signed after-sales link of an order (registered by the after-sales module; orders know no cases). */
export type AfterSalesLinkProvider = (manager: EntityManager, orderId: string) => Promise<string | null>;

export const shipmentData = (carrier: string, trackingNumber: string): ShipmentData => ({
  carrier,
  carrierName: carrierAdapter(carrier)?.name ?? carrier,
  trackingNumber,
  trackingUrl: trackingUrlOf(carrier, trackingNumber),
});

/**
 * What customers hear about their order (G3.2, issue 7): the order as templates see it (notification-events.ts), queued
 * through the outbox in the caller's transaction, so the message commits with the change it tells of.
 */
@Injectable()
export class OrderNotifications implements OnModuleInit {
  private afterSalesLink?: AfterSalesLinkProvider;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: OrderRecords,
    private readonly fulfillment: FulfillmentService,
    private readonly notifications: NotificationsService,
    private readonly templates: NotificationTemplatesService,
  ) {}

  onModuleInit(): void {
    this.templates.onOrderData((idOrNumber, event) => this.previewData(idOrNumber, event));
  }

  onAfterSalesLink(provider: AfterSalesLinkProvider): void {
    this.afterSalesLink = provider;
  }

  /**
   * Queues `event` for the order's customer on the channels the settings choose. `subjectId` tells apart messages of one
   * event for one order (each parcel, each case); default the order. Returns how many messages were queued.
   */
  async send(manager: EntityManager, orderOrId: Order | string, event: NotificationEvent, extras: NotificationExtras = {}, subjectId?: string, lines?: OrderLine[]): Promise<number> {
    const order = typeof orderOrId === 'string' ? await this.records.find(manager, orderOrId) : orderOrId;
    return this.notifications.notify(manager, {
      event,
      subjectId: subjectId ?? order.id,
      reference: extras.case?.number ?? order.number,
      to: { email: order.customerEmail, phone: order.customerPhone, locale: order.customerLocale },
      data: await this.dataOf(manager, order, extras, lines),
    });
  }

  /** `lines`: the order's lines when the caller has them (a workflow step read them with the order). */
  async dataOf(manager: EntityManager, order: Order, extras: NotificationExtras = {}, lines?: OrderLine[]): Promise<NotificationData> {
    lines ??= await this.records.lines(manager, order.id);
    return {
      shop: { name: this.config.SHOP_NAME },
      order: {
        number: order.number,
        placedAt: order.placedAt.toISOString(),
        status: order.status,
        customer: { name: order.customerName, phone: order.customerPhone, email: order.customerEmail },
        shippingAddress: order.shippingAddress,
        lines: [...lines].sort((a, b) => a.lineNo - b.lineNo).map((line) => ({ sku: line.sku, name: line.name || line.sku, quantity: line.quantity, unitPrice: normaliseMoney(line.unitPrice)! })),
        totals: { items: normaliseMoney(order.itemsTotal)!, shipping: normaliseMoney(order.shippingFee)!, grand: normaliseMoney(order.grandTotal)! },
        currency: 'CNY',
        payment: { amount: normaliseMoney(order.paymentAmount), paidAt: order.paidAt ? order.paidAt.toISOString() : null },
      },
      links: { afterSales: this.afterSalesLink ? await this.afterSalesLink(manager, order.id) : null },
      ...extras,
    };
  }

  /** A real order's data for the template editor; what the order does not have yet (a parcel, a case) comes from the sample. */
  private async previewData(idOrNumber: string, event: NotificationEvent): Promise<NotificationData> {
    const order = await this.records.find(this.db.manager, idOrNumber);
    const sample = sampleNotificationData(event, this.config.SHOP_NAME);
    const shipped = ((await this.fulfillment.shipmentsOf(this.db.manager, [order.id])).get(order.id) ?? []).find((s) => s.carrier && s.trackingNumber);
    const extras: NotificationExtras = {
      ...(sample.shipment ? { shipment: shipped ? shipmentData(shipped.carrier!, shipped.trackingNumber!) : sample.shipment } : {}),
      ...(sample.problem ? { problem: sample.problem } : {}),
      ...(sample.cancellation ? { cancellation: sample.cancellation } : {}),
      ...(sample.case ? { case: sample.case } : {}),
    };
    return this.dataOf(this.db.manager, order, extras);
  }
}
