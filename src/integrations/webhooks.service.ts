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
import type { OrderView } from '../orders/order-view';
import type { DeliveryOutcome } from './integration-views';
import { IntegrationsService, type OpenedIntegration } from './integrations.service';
import { Kuaidi100Tracks } from './kuaidi100/kuaidi100-pushes';
import { alipayFailureAnswer, alipaySuccessAnswer, verifyAlipayNotification } from './providers/alipay';
import { kuaidi100PushAnswer, verifyKuaidi100Push } from './providers/kuaidi100';
import { type Checked, type PaymentNotice, type ProviderAnswer, text } from './providers/provider-types';
import { mapShopifyOrder, SHOPIFY_ORDER_TOPICS, shopifyOrderId, verifyShopifySignature } from './providers/shopify';
import { verifyWechatPayNotification, wechatPayFailureAnswer, wechatPaySuccessAnswer } from './providers/wechatpay';
import { isWooCommercePing, mapWooCommerceOrder, verifyWooCommerceWebhook, WOOCOMMERCE_ORDER_TOPICS } from './providers/woocommerce';
import { parseJsonKeepingLongIntegers } from './raw-json';

export type { DeliveryOutcome } from './integration-views';

export interface DeliveryAnswer {
  received: true;
  outcome: DeliveryOutcome;
  /** The delivery id was seen before: nothing was done again. */
  repeated?: boolean;
  orderId?: string;
  orderNumber?: string;
}

/** What a receiver answers: our JSON DeliveryAnswer (Shopify), or the exact status, content type and body a provider expects. */
export type HookAnswer = DeliveryAnswer | ProviderAnswer;

export const isProviderAnswer = (answer: HookAnswer): answer is ProviderAnswer => 'contentType' in answer && 'body' in answer;

/** A payment provider's side of a notification: how it is verified and how it wants to be answered (issue 15 item 3). */
interface PaymentProvider {
  verify(connector: OpenedIntegration, rawBody: Buffer, headers: Headers): Checked<PaymentNotice>;
  success(): ProviderAnswer;
  failure(message: string, status: number): ProviderAnswer;
}

const stringSetting = (settings: Record<string, unknown>, key: string): string | undefined =>
  typeof settings[key] === 'string' && settings[key] !== '' ? (settings[key] as string) : undefined;

const PAYMENT_PROVIDERS: Record<'wechatpay' | 'alipay', PaymentProvider> = {
  wechatpay: {
    verify: (connector, rawBody, headers) => verifyWechatPayNotification({ headers, rawBody: rawBody.toString('utf8') }, {
      platformCertificate: stringSetting(connector.settings, 'platformCertificate') ?? '',
      platformSerial: stringSetting(connector.settings, 'platformSerial'),
      apiV3Key: connector.secrets.apiV3Key ?? '',
      mchid: stringSetting(connector.settings, 'mchid'),
    }),
    success: wechatPaySuccessAnswer,
    failure: wechatPayFailureAnswer,
  },
  alipay: {
    verify: (connector, rawBody) => verifyAlipayNotification(rawBody.toString('utf8'), {
      alipayPublicKey: connector.secrets.alipayPublicKey ?? '',
      appId: stringSetting(connector.settings, 'appId'),
      sellerId: stringSetting(connector.settings, 'sellerId'),
    }),
    success: alipaySuccessAnswer,
    // Alipay reads only the body: anything but "success" is retried
    failure: (_message, status) => alipayFailureAnswer(status),
  },
};

/** A paused connector answers this (503, with Retry-After): the provider keeps the delivery and sends it again later. */
export class ConnectorPausedError extends AppError {
  constructor(name: string) {
    super(503, 'service_unavailable', `The connector ${name} is paused; send the delivery again later`);
  }
}

/** Outcomes after which the same delivery id is answered "seen before"; a rejected or failed one may be sent again. */
const FINAL_OUTCOMES: DeliveryOutcome[] = ['created', 'updated', 'duplicate', 'ignored'];

type Headers = Record<string, string | string[] | undefined>;

/** One thing a connector brought in: the provider's id of this delivery (or of this version of a polled order), its topic, the platform's order id. */
export interface Delivery {
  connector: OpenedIntegration;
  deliveryId: string;
  topic: string;
  externalId?: string | null;
  /** A webhook's verified raw body: kept when taking it fails on our side, for a replay (record() keeps it for `failed` only). */
  replayBody?: Buffer;
}

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

/** The shop platforms whose order deliveries take the one flow (and can be replayed). */
const ORDER_KINDS: Record<string, WebhookKind> = { shopify: SHOPIFY, woocommerce: WOOCOMMERCE };

/** The kinds whose failed deliveries are kept and replayed (issue 15 item 6); payment providers retry on their own. */
export const REPLAYABLE_KINDS: readonly string[] = Object.keys(ORDER_KINDS);

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
    private readonly kuaidi100Tracks: Kuaidi100Tracks,
  ) {}

  /** Each kind whose deliveries are handled here, by its own signature scheme; a connector of another kind has no webhook (404). */
  private readonly receivers: Record<string, (connector: OpenedIntegration, rawBody: Buffer, headers: Headers) => Promise<HookAnswer>> = {
    shopify: (connector, rawBody, headers) => this.receiveOrder(ORDER_KINDS.shopify, connector, rawBody, headers),
    woocommerce: (connector, rawBody, headers) => this.receiveOrder(ORDER_KINDS.woocommerce, connector, rawBody, headers),
    wechatpay: (connector, rawBody, headers) => this.receivePayment(PAYMENT_PROVIDERS.wechatpay, connector, rawBody, headers),
    alipay: (connector, rawBody, headers) => this.receivePayment(PAYMENT_PROVIDERS.alipay, connector, rawBody, headers),
    kuaidi100: (connector, rawBody) => this.receiveTrackingPush(connector, rawBody),
  };

  async receive(id: string, rawBody: Buffer, headers: Headers): Promise<HookAnswer> {
    const connector = await this.integrations.open(id);
    const receiver = this.receivers[connector.kind];
    if (!receiver) throw new NotFoundError(`Webhook of the ${connector.kind} connector`, id);
    return receiver(connector, rawBody, headers);
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
    return this.takeDelivery(kind, connector, deliveryId, topic, rawBody);
  }

  /**
   * Issue 15 item 6: a delivery that failed on our side (outcome `failed`, its verified body kept) through the same
   * processing again. Its signature was checked when it arrived (the provider's timestamp would be stale now); the
   * intake's idempotency by channel + external id makes a replay that succeeds twice take one order.
   */
  async replay(connectorId: string, stored: { deliveryId: string; topic: string | null; body: Buffer }): Promise<DeliveryAnswer> {
    const connector = await this.integrations.open(connectorId);
    const kind = ORDER_KINDS[connector.kind];
    if (!kind || connector.paused) throw new InvalidStateError(`The connector ${connector.name} does not take a replay now (paused, or a ${connector.kind} connector)`);
    return this.takeDelivery(kind, connector, stored.deliveryId, stored.topic ?? '', stored.body);
  }

  /** After the signature: delivery id once → map → take the order (takeOrder); the verified body is kept if that fails on our side. */
  private async takeDelivery(kind: WebhookKind, connector: OpenedIntegration, deliveryId: string, topic: string, rawBody: Buffer): Promise<DeliveryAnswer> {
    const seen = await this.seenBefore(connector, deliveryId);
    if (seen) return seen;
    const delivery = { connector, deliveryId, topic, replayBody: rawBody };
    if (!kind.orderTopics.includes(topic)) {
      await this.record(delivery, 'ignored');
      return { received: true, outcome: 'ignored' };
    }

    let mapped: Record<string, unknown>;
    let externalId: string | null = null;
    try {
      refuseDeepJson(null, null, rawBody, 'utf-8');
      const order = parseJsonKeepingLongIntegers(rawBody.toString('utf8'));
      if (order === null || typeof order !== 'object' || Array.isArray(order)) throw ValidationError.of('body', `must be a ${kind.label} order object`);
      externalId = kind.orderId(order as Record<string, unknown>).slice(0, 100) || null;
      mapped = kind.mapOrder(order as Record<string, unknown>, connector.name);
    } catch (error) {
      const refusal = error instanceof AppError ? error : new AppError(400, 'bad_request', 'The delivery body is not valid JSON');
      await this.record({ ...delivery, externalId }, 'rejected', refusal.message);
      throw refusal;
    }
    return this.takeOrder({ ...delivery, externalId }, mapped);
  }

  /** The answer to a delivery id taken before (a final outcome), or undefined: the same delivery is never taken twice. */
  async seenBefore(connector: OpenedIntegration, deliveryId: string): Promise<DeliveryAnswer | undefined> {
    const seen = await queryOne<{ outcome: DeliveryOutcome; order_id: string | null }>(
      this.db, `SELECT outcome, order_id FROM integration_delivery WHERE integration_id = $1 AND delivery_id = $2 AND outcome = ANY($3)`, [connector.id, deliveryId, FINAL_OUTCOMES]);
    return seen ? { received: true, outcome: seen.outcome, repeated: true, ...(seen.order_id ? { orderId: seen.order_id } : {}) } : undefined;
  }

  /**
   * A platform's order mapped to the body of POST /api/orders (channel = the connector's name), delivered by a webhook or
   * found by polling (issue 15 items 1-2): checked like that body, taken through the same intake (review, idempotency by
   * channel + externalId), an update of an order taken unpaid that is paid now recorded as its payment, and the delivery
   * recorded. A refused body is recorded as rejected and its ValidationError thrown.
   */
  async takeOrder(delivery: Delivery, mapped: Record<string, unknown>): Promise<DeliveryAnswer> {
    const { connector } = delivery;
    let intake: CreateOrderDto;
    try {
      intake = await this.checkedIntake(mapped);
    } catch (error) {
      await this.record(delivery, 'rejected', error instanceof Error ? error.message : String(error));
      throw error;
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
      // failed on our side: a webhook's verified body (replayBody) is kept so that it can be replayed (issue 15 item 6); a refused one is not
      await this.record({ ...delivery, externalId: intake.externalId }, rejected ? 'rejected' : 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A payment notification (issue 15 item 3, G5.2): verified before anything is read or written, then recorded on our
   * order (out_trade_no = our order number) through OrdersService.confirmPayment, the service of
   * POST /api/orders/{id}/payments, which moves the order on (pending_payment → review → allocation through the workflow).
   * Answered in the provider's own format: success whenever retrying would change nothing (recorded, seen before, not a
   * payment, already paid), a failure (which the provider retries) when refused or when the order is unknown.
   */
  private async receivePayment(provider: PaymentProvider, connector: OpenedIntegration, rawBody: Buffer, headers: Headers): Promise<ProviderAnswer> {
    const checked = provider.verify(connector, rawBody, headers);
    if (!checked.ok) {
      // forged, tampered, replayed or for another account: nothing written; the reason names no secret
      this.logger.warn(`connector ${connector.name}: refused a notification (${connector.kind}, ${checked.code}): ${checked.reason}`);
      return checked.code === 'payload_malformed' ? provider.failure('malformed notification', 400) : provider.failure('signature verification failed', 401);
    }
    if (connector.paused) throw new ConnectorPausedError(connector.name);
    const notice = checked.value;
    const deliveryId = notice.deliveryId.slice(0, 200);
    const seen = await queryOne<{ outcome: DeliveryOutcome }>(
      this.db, `SELECT outcome FROM integration_delivery WHERE integration_id = $1 AND delivery_id = $2 AND outcome = ANY($3)`, [connector.id, deliveryId, FINAL_OUTCOMES]);
    if (seen) return provider.success();
    const delivery = { connector, deliveryId, topic: notice.providerStatus.slice(0, 100), externalId: notice.payment.orderRef.slice(0, 100) };
    if (!notice.paid) {
      await this.record(delivery, 'ignored');
      return provider.success();
    }

    const reference = `${connector.kind}:${notice.payment.reference}`.slice(0, 100);
    const payment = { amount: notice.payment.amount, reference, paidAt: notice.payment.paidAt ?? undefined };
    const actor: Actor = { kind: 'system', id: `integration:${connector.id}`, name: `integration:${connector.name}`, roles: [], permissions: new Set(['orders.write']) };
    let order: OrderView;
    try {
      order = await this.orders.get(notice.payment.orderRef);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // the merchant must pass our order number as out_trade_no; the provider retries, and each retry is recorded again
      await this.record(delivery, 'rejected', `no order ${notice.payment.orderRef} (out_trade_no must be our order number)`);
      return provider.failure('order not found', 404);
    }
    try {
      if (order.status === 'pending_payment' && order.payment.status !== 'paid') {
        order = await this.orders.confirmPayment(order.id, payment, actor);
        await this.record({ ...delivery, orderId: order.id }, 'updated');
        return provider.success();
      }
    } catch (error) {
      if (!(error instanceof InvalidStateError)) {
        await this.record(delivery, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
        throw error;
      }
      order = await this.orders.get(order.id); // paid meanwhile (the same notice twice at once, or another payment)
    }
    if (order.payment.reference === reference) {
      await this.record({ ...delivery, orderId: order.id }, 'duplicate');
      return provider.success();
    }
    // paid another way, or cancelled: retrying cannot help, so the provider is told success, and the operators see the
    // rejected delivery (the connector's lastError) to refund the second payment
    await this.record({ ...delivery, orderId: order.id }, 'rejected',
      `order ${order.number} is ${order.status} with payment ${order.payment.status}${order.payment.reference ? ` (${order.payment.reference})` : ''}: payment ${reference} of ${payment.amount} not recorded, refund it`);
    return provider.success();
  }

  /**
   * A Kuaidi100 tracking push (issue 15 item 4): sign = MD5(param + salt) checked before anything is read or written; the
   * same push again (its body's hash) is answered without work; its track becomes tracking events (Kuaidi100Tracks).
   * Answered {result: true} whenever retrying would change nothing, so Kuaidi100 stops; a failure on our side is retried.
   */
  private async receiveTrackingPush(connector: OpenedIntegration, rawBody: Buffer): Promise<ProviderAnswer> {
    const checked = verifyKuaidi100Push(rawBody.toString('utf8'), { salt: connector.secrets.salt ?? '' });
    if (!checked.ok) {
      this.logger.warn(`connector ${connector.name}: refused a push (kuaidi100, ${checked.code}): ${checked.reason}`);
      const malformed = checked.code === 'payload_malformed';
      return kuaidi100PushAnswer({ ok: false, message: malformed ? 'malformed push' : 'signature verification failed', status: malformed ? 400 : 401 });
    }
    if (connector.paused) throw new ConnectorPausedError(connector.name);
    const push = checked.value;
    const deliveryId = `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
    const seen = await queryOne(this.db, `SELECT 1 FROM integration_delivery WHERE integration_id = $1 AND delivery_id = $2 AND outcome = ANY($3)`, [connector.id, deliveryId, FINAL_OUTCOMES]);
    if (seen) return kuaidi100PushAnswer({ ok: true });
    const delivery = { connector, deliveryId, topic: `tracking ${push.monitorStatus} ${push.state}`.trim(), externalId: `${push.company} ${push.trackingNumber}`.slice(0, 100) };
    try {
      const { outcome, note } = await this.kuaidi100Tracks.ingest(connector, push);
      await this.record(delivery, outcome, note);
      return kuaidi100PushAnswer({ ok: true });
    } catch (error) {
      await this.record(delivery, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      return kuaidi100PushAnswer({ ok: false, message: 'temporarily unable to take the push', status: 503 });
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

  /**
   * One row per delivery id (a rejected or failed one is replaced when sent again), and the connector's last sync or last
   * error. The body to replay is kept for a failed one only, and cleared when the same delivery succeeds.
   */
  async record(delivery: Delivery & { orderId?: string }, outcome: DeliveryOutcome, error?: string): Promise<void> {
    await this.db.query(
      `INSERT INTO integration_delivery (integration_id, delivery_id, topic, outcome, external_id, order_id, error, replay_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (integration_id, delivery_id) DO UPDATE SET topic = EXCLUDED.topic, outcome = EXCLUDED.outcome, external_id = EXCLUDED.external_id,
         order_id = EXCLUDED.order_id, error = EXCLUDED.error, replay_body = EXCLUDED.replay_body, received_at = now()
       WHERE integration_delivery.outcome IN ('rejected', 'failed')`,
      [delivery.connector.id, delivery.deliveryId, delivery.topic || null, outcome, delivery.externalId ?? null, delivery.orderId ?? null, error?.slice(0, 2000) ?? null,
        outcome === 'failed' ? (delivery.replayBody ?? null) : null],
    );
    const problem = outcome === 'rejected' || outcome === 'failed' ? `${delivery.topic || 'delivery'} ${delivery.deliveryId}: ${error ?? outcome}` : null;
    if (problem) this.logger.warn(`connector ${delivery.connector.name}: ${outcome} ${problem}`);
    await this.integrations.noteResult(delivery.connector.id, problem);
  }
}
