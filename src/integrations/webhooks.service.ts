import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { AppError, InvalidStateError, NotFoundError, UnauthorizedError, ValidationError } from '../common/errors';
import { refuseDeepJson, unsafeInputProblems } from '../common/input-safety';
import { flattenValidationErrors } from '../common/validation';
import { queryOne } from '../database/sql';
import { CreateOrderDto } from '../orders/dto/create-order.dto';
import { IntakeBackPressure } from '../orders/intake-back-pressure';
import { OrdersService } from '../orders/orders.service';
import { IntegrationsService, type OpenedIntegration } from './integrations.service';
import { text } from './providers/provider-types';
import { mapShopifyOrder, SHOPIFY_ORDER_TOPICS, shopifyOrderId, verifyShopifySignature } from './providers/shopify';
import { isWooCommercePing, mapWooCommerceOrder, verifyWooCommerceWebhook, WOOCOMMERCE_ORDER_TOPICS } from './providers/woocommerce';
import { parseJsonKeepingLongIntegers } from './raw-json';

export type DeliveryOutcome = 'created' | 'updated' | 'duplicate' | 'ignored' | 'rejected' | 'failed';

export interface DeliveryAnswer {
  received: true;
  outcome: DeliveryOutcome;
  /** The delivery id was seen before: nothing was done again. */
  repeated?: boolean;
  orderId?: string;
  orderNumber?: string;
}

/** A paused connector answers this (503, with Retry-After): the provider keeps the delivery and sends it again later. */
export class ConnectorPausedError extends AppError {
  constructor(name: string) {
    super(503, 'service_unavailable', `The connector ${name} is paused; send the delivery again later`);
  }
}

/** Outcomes after which the same delivery id is answered "seen before"; a rejected or failed one may be sent again. */
const FINAL_OUTCOMES: DeliveryOutcome[] = ['created', 'updated', 'duplicate', 'ignored'];

type Headers = Record<string, string | string[] | undefined>;

const headerOf = (headers: Headers, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** What differs between shop platforms; the rest of a delivery's handling is one flow (WebhooksService.receiveOrder). */
interface WebhookKind {
  /** The platform's name in messages. */
  label: string;
  /** An unsigned handshake to answer 200 with nothing recorded (WooCommerce's ping when a webhook is saved). */
  isPing?: (rawBody: Buffer) => boolean;
  /** The signature over the raw body with the webhook secret (401 otherwise, before anything is read or written); the topic and delivery id as sent. */
  authenticate: (rawBody: Buffer, headers: Headers, webhookSecret: string) => { topic: string; deliveryId?: string | null };
  /** The topics that bring an order in; any other is acknowledged and ignored. */
  orderTopics: readonly string[];
  /** The order's id on the platform, recorded with the delivery even when the order is refused. */
  orderId: (order: Record<string, unknown>) => string;
  /** The platform's order as the body of POST /api/orders (channel = the connector's name); a 422 for one it cannot read. */
  mapOrder: (order: Record<string, unknown>, channel: string) => Record<string, unknown>;
}

const SHOPIFY: WebhookKind = {
  label: 'Shopify',
  authenticate: (rawBody, headers, secret) => {
    if (!verifyShopifySignature(rawBody, headerOf(headers, 'X-Shopify-Hmac-Sha256'), secret)) {
      throw new UnauthorizedError('The X-Shopify-Hmac-Sha256 signature is missing or does not match the body');
    }
    return { topic: headerOf(headers, 'X-Shopify-Topic') ?? '', deliveryId: headerOf(headers, 'X-Shopify-Webhook-Id') };
  },
  orderTopics: SHOPIFY_ORDER_TOPICS,
  orderId: shopifyOrderId,
  mapOrder: mapShopifyOrder,
};

const WOOCOMMERCE: WebhookKind = {
  label: 'WooCommerce',
  isPing: (rawBody) => isWooCommercePing(rawBody.toString('utf8')),
  authenticate: (rawBody, headers, secret) => {
    const checked = verifyWooCommerceWebhook({ headers, rawBody: rawBody.toString('utf8') }, secret);
    // a good signature over a body that is no JSON object goes on, to be recorded as rejected like any unreadable order
    if (!checked.ok && checked.code !== 'payload_malformed') throw new UnauthorizedError(`WooCommerce delivery refused: ${checked.reason}`);
    return { topic: headerOf(headers, 'X-WC-Webhook-Topic') ?? '', deliveryId: headerOf(headers, 'X-WC-Webhook-Delivery-ID') };
  },
  orderTopics: WOOCOMMERCE_ORDER_TOPICS,
  orderId: (order) => text(order.id),
  mapOrder: (order, channel) => {
    const mapped = mapWooCommerceOrder(order);
    if (!mapped.ok) throw ValidationError.of('body', mapped.reason);
    return { ...mapped.value, channel };
  },
};

/**
 * Inbound deliveries at `POST /hooks/{id}` (issue 15 item 2): the provider's signature over the raw body is the
 * authentication, checked before anything is read or written; then each delivery id is taken once (integration_delivery),
 * and an order goes through the same intake as POST /api/orders with channel = the connector's name, so a platform's
 * repeated or overlapping deliveries never make a second order.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly integrations: IntegrationsService,
    private readonly orders: OrdersService,
    private readonly backPressure: IntakeBackPressure,
  ) {}

  /** Each kind whose deliveries are handled here, by its own signature scheme; a connector of another kind has no webhook (404). */
  private readonly receivers: Record<string, WebhookKind> = { shopify: SHOPIFY, woocommerce: WOOCOMMERCE };

  async receive(id: string, rawBody: Buffer, headers: Headers): Promise<DeliveryAnswer> {
    const connector = await this.integrations.open(id);
    const kind = this.receivers[connector.kind];
    if (!kind) throw new NotFoundError(`Webhook of the ${connector.kind} connector`, id);
    return this.receiveOrder(kind, connector, rawBody, headers);
  }

  /** One flow for every shop platform: verify → paused → delivery id once → map and take the order (or its payment) → record. */
  private async receiveOrder(kind: WebhookKind, connector: OpenedIntegration, rawBody: Buffer, headers: Headers): Promise<DeliveryAnswer> {
    // an unsigned handshake carries no order: answered even while paused, so the platform can save the webhook
    if (kind.isPing?.(rawBody)) return { received: true, outcome: 'ignored' };
    const signed = kind.authenticate(rawBody, headers, connector.secrets.webhookSecret ?? '');
    if (connector.paused) throw new ConnectorPausedError(connector.name);
    const topic = signed.topic.slice(0, 100);
    // without the platform's id, the body itself identifies the delivery
    const deliveryId = (signed.deliveryId || `sha256:${createHash('sha256').update(topic).update('\n').update(rawBody).digest('hex')}`).slice(0, 200);
    const seen = await queryOne<{ outcome: DeliveryOutcome; order_id: string | null }>(
      this.db, `SELECT outcome, order_id FROM integration_delivery WHERE integration_id = $1 AND delivery_id = $2 AND outcome = ANY($3)`, [connector.id, deliveryId, FINAL_OUTCOMES]);
    if (seen) return { received: true, outcome: seen.outcome, repeated: true, ...(seen.order_id ? { orderId: seen.order_id } : {}) };
    const delivery = { connector, deliveryId, topic };
    if (!kind.orderTopics.includes(topic)) {
      await this.record(delivery, 'ignored');
      return { received: true, outcome: 'ignored' };
    }

    let intake: CreateOrderDto;
    let externalId: string | null = null;
    try {
      refuseDeepJson(null, null, rawBody, 'utf-8');
      const order = parseJsonKeepingLongIntegers(rawBody.toString('utf8'));
      if (order === null || typeof order !== 'object' || Array.isArray(order)) throw ValidationError.of('body', `must be a ${kind.label} order object`);
      externalId = kind.orderId(order as Record<string, unknown>).slice(0, 100) || null;
      intake = await this.checkedIntake(kind.mapOrder(order as Record<string, unknown>, connector.name));
    } catch (error) {
      const refusal = error instanceof AppError ? error : new AppError(400, 'bad_request', 'The delivery body is not valid JSON');
      await this.record({ ...delivery, externalId }, 'rejected', refusal.message);
      throw refusal;
    }

    await this.backPressure.admit();
    try {
      const actor: Actor = { kind: 'system', id: `integration:${connector.id}`, name: `integration:${connector.name}`, roles: [], permissions: new Set(['orders.write']) };
      const { order, created } = await this.orders.intake(intake, actor);
      let outcome: DeliveryOutcome = created ? 'created' : 'duplicate';
      // an update of an order taken unpaid that is paid now: the payment, as POST /api/orders/{id}/payments records it
      if (!created && intake.payment.status === 'paid' && order.status === 'pending_payment') {
        try {
          await this.orders.confirmPayment(order.id, { amount: intake.payment.amount ?? order.totals.grand, reference: `${connector.kind}:${intake.externalId}`, paidAt: intake.payment.paidAt }, actor);
          outcome = 'updated';
        } catch (error) {
          if (!(error instanceof InvalidStateError)) throw error; // paid meanwhile by another delivery: nothing to do
        }
      }
      await this.record({ ...delivery, externalId: intake.externalId, orderId: order.id }, outcome);
      return { received: true, outcome, orderId: order.id, orderNumber: order.number };
    } catch (error) {
      const rejected = error instanceof ValidationError;
      await this.record({ ...delivery, externalId: intake.externalId }, rejected ? 'rejected' : 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  /** The mapped order checked as POST /api/orders checks a body (unknown fields, types, limits): a 422 names what the platform sent wrong. */
  private async checkedIntake(mapped: Record<string, unknown>): Promise<CreateOrderDto> {
    const unsafe = unsafeInputProblems(mapped, '');
    if (unsafe.length) throw ValidationError.listing(unsafe);
    const intake = plainToInstance(CreateOrderDto, mapped);
    const errors = await validate(intake, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
    if (errors.length) throw ValidationError.listing(flattenValidationErrors(errors));
    return intake;
  }

  /** One row per delivery id (a rejected or failed one is replaced when sent again), and the connector's last sync or last error. */
  private async record(
    delivery: { connector: OpenedIntegration; deliveryId: string; topic: string; externalId?: string | null; orderId?: string },
    outcome: DeliveryOutcome,
    error?: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO integration_delivery (integration_id, delivery_id, topic, outcome, external_id, order_id, error) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (integration_id, delivery_id) DO UPDATE SET topic = EXCLUDED.topic, outcome = EXCLUDED.outcome, external_id = EXCLUDED.external_id,
         order_id = EXCLUDED.order_id, error = EXCLUDED.error, received_at = now()
       WHERE integration_delivery.outcome IN ('rejected', 'failed')`,
      [delivery.connector.id, delivery.deliveryId, delivery.topic || null, outcome, delivery.externalId ?? null, delivery.orderId ?? null, error?.slice(0, 2000) ?? null],
    );
    const problem = outcome === 'rejected' || outcome === 'failed' ? `${delivery.topic || 'delivery'} ${delivery.deliveryId}: ${error ?? outcome}` : null;
    if (problem) this.logger.warn(`connector ${delivery.connector.name}: ${outcome} ${problem}`);
    await this.integrations.noteResult(delivery.connector.id, problem);
  }
}
