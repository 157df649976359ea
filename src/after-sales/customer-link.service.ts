import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, publicUrlOf } from '../config/config';
import type { Actor } from '../common/actor';
import { AppError, InvalidStateError, NotFoundError } from '../common/errors';
import { isUuid } from '../fulfillment/fulfillment.service';
import { OrderNotifications } from '../orders/order-notifications';
import type { OrderView } from '../orders/order-view';
import { OrdersService } from '../orders/orders.service';
import { SettingsService } from '../settings/settings.service';
import { SetupService } from '../setup/setup.service';
import { AfterSalesService, type CaseView } from './after-sales.service';
import { orderStatusesForCase, CASE_TYPES } from './case-status';
import type { OpenCaseDto } from './dto/after-sales.dto';
import { CARRIER_NAMES } from '../fulfillment/documents/shipment-document-data';
import type { PublicCase, PublicOrderPage, PublicParcel } from './dto/customer-link.dto';

/** The app_secret that signs customer links (SetupService.secret: generated once, kept in the database). */
export const CUSTOMER_LINK_SECRET = 'customer-link';
/** Where the customer's page lives, under the configured PUBLIC_URL. */
export const CUSTOMER_PAGE_PATH = '/returns';
/** A second identical request within this time is the customer's double click, not a second case. */
export const DUPLICATE_SUBMISSION_SECONDS = 60;

/** What a link carries: the order's id and when it stops working (epoch seconds). */
export interface CustomerLinkPayload {
  o: string;
  e: number;
}

export interface CustomerLink {
  token: string;
  /** `<PUBLIC_URL>/returns/<token>`: never built from a request's Host header, which the caller controls. */
  url: string;
  expiresAt: string;
}

/** Every bad link answers the same: expired, tampered, signed elsewhere or for an order that is gone. */
export class CustomerLinkNotFoundError extends AppError {
  constructor() {
    super(404, 'not_found', 'This link is invalid or has expired; ask customer service for a new one');
  }
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{10,400}\.[A-Za-z0-9_-]{43}$/;

/**
 * G1.6 (issue 6 item 6): a signed, expiring link in the customer's notification lets them open a case on their order
 * and follow it without an account. The link is an HMAC over the order id and the expiry, so nothing is stored per link.
 */
@Injectable()
export class CustomerLinkService implements OnModuleInit, OnApplicationBootstrap {
  private secret?: Promise<string>;
  private secretValue?: string;
  private readonly publicUrl: string;

  constructor(
    private readonly orders: OrdersService,
    private readonly cases: AfterSalesService,
    private readonly settings: SettingsService,
    private readonly setup: SetupService,
    private readonly notifications: OrderNotifications,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.publicUrl = publicUrlOf(config);
  }

  /** Customer messages carry the order's link (templates' {{afterSalesLink}}). */
  onModuleInit(): void {
    this.notifications.onAfterSalesLink((manager, orderId) => this.linkFor(manager, orderId));
  }

  /** A link for the order, valid for the after-sales window of the settings unless told otherwise. */
  async issue(orderIdOrNumber: string, options: { lifetimeSeconds?: number } = {}): Promise<CustomerLink> {
    const order = await this.orders.get(orderIdOrNumber);
    const lifetime = options.lifetimeSeconds ?? (await this.settings.get()).afterSales.windowDays * 86_400;
    const expiry = Math.floor(Date.now() / 1000) + lifetime;
    const token = await this.sign({ o: order.id, e: expiry });
    return { token, url: this.url(token), expiresAt: new Date(expiry * 1000).toISOString() };
  }

  /**
   * The link a notification carries (G3.2 "the after-sales link"), made in the caller's transaction: only `manager` is
   * queried (the embedded database has one connection; STACK trap 8), the secret too if it was not read yet.
   */
  async linkFor(manager: EntityManager, orderId: string): Promise<string> {
    const lifetime = (await this.settings.get(manager)).afterSales.windowDays * 86_400;
    return this.url(await this.sign({ o: orderId, e: Math.floor(Date.now() / 1000) + lifetime }, manager));
  }

  /** Reads the signing secret once the schema is there, so that links made inside transactions never wait for it. */
  async onApplicationBootstrap(): Promise<void> {
    await this.signature('warm-up');
  }

  url(token: string): string {
    return `${this.publicUrl}${CUSTOMER_PAGE_PATH}/${token}`;
  }

  /** base64url(JSON payload) + '.' + base64url(HMAC-SHA256 of that text). */
  async sign(payload: CustomerLinkPayload, manager?: EntityManager): Promise<string> {
    const body = Buffer.from(JSON.stringify({ o: payload.o, e: payload.e })).toString('base64url');
    return `${body}.${await this.signature(body, manager)}`;
  }

  /** The order a valid, unexpired link is for; anything else is the same 404. */
  async resolve(token: string): Promise<OrderView> {
    const payload = await this.verify(token);
    try {
      return await this.orders.get(payload.o);
    } catch (error) {
      if (error instanceof NotFoundError) throw new CustomerLinkNotFoundError();
      throw error;
    }
  }

  /** GET /api/public/orders/{token}: the order's lines with what can still be claimed, its cases, the types it allows. */
  async publicOrder(token: string): Promise<PublicOrderPage> {
    const order = await this.resolve(token);
    const cases = await this.casesOf(order.id);
    return {
      order: { number: order.number, status: order.status, placedAt: order.placedAt, lines: returnableLines(order, cases) },
      parcels: parcelsOf(order),
      cases: cases.map(toPublicCase),
      caseTypes: CASE_TYPES.filter((type) => orderStatusesForCase(type).includes(order.status)),
    };
  }

  /**
   * The customer opens a case through the link; the after-sales service checks it like any other (409/422 unchanged).
   * The same request again within a minute answers the case it created (`created: false`).
   */
  async openCase(token: string, input: OpenCaseDto): Promise<{ created: boolean; case: PublicCase }> {
    const order = await this.resolve(token);
    // the duplicate check runs under the order's row lock: a double click sent to two processes still makes one case
    const { created, view } = await this.cases.openOnce(order.id, input, customerActor(order.number), DUPLICATE_SUBMISSION_SECONDS);
    return { created, case: toPublicCase(view) };
  }

  /**
   * The customer adds photos to a case of their order (G5.5): the same checks as customer service's upload (an image by its
   * bytes — JPEG, PNG or WebP, so never SVG — at most 5 MB, 10 a case), only while the case is still being handled.
   */
  async addPhoto(token: string, caseNumber: string, file: { originalname: string; buffer: Buffer } | undefined): Promise<PublicCase> {
    const order = await this.resolve(token);
    const view = (await this.casesOf(order.id)).find((candidate) => candidate.number === caseNumber);
    if (!view) throw new NotFoundError('After-sales case', caseNumber);
    if (!acceptsPhotos(view)) throw new InvalidStateError(`Case ${view.number} is ${view.status}; photos can no longer be added`);
    return toPublicCase(await this.cases.addAttachment(view.id, file, customerActor(order.number)));
  }

  private async verify(token: string): Promise<CustomerLinkPayload> {
    if (!TOKEN_SHAPE.test(token)) throw new CustomerLinkNotFoundError();
    const [body, signature] = token.split('.');
    const expected = Buffer.from(await this.signature(body));
    // compared as text: base64url has several spellings of one byte string, a link has exactly one
    if (!timingSafeEqual(Buffer.from(signature), expected)) throw new CustomerLinkNotFoundError();
    let payload: Partial<CustomerLinkPayload>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new CustomerLinkNotFoundError();
    }
    if (typeof payload?.o !== 'string' || !isUuid(payload.o) || !Number.isSafeInteger(payload.e)) throw new CustomerLinkNotFoundError();
    if (payload.e! * 1000 <= Date.now()) throw new CustomerLinkNotFoundError();
    return { o: payload.o, e: payload.e! };
  }

  private async signature(body: string, manager?: EntityManager): Promise<string> {
    // inside a transaction the secret is read through it, never by waiting for a read on another connection
    if (manager && !this.secretValue) this.secretValue = await this.setup.secret(CUSTOMER_LINK_SECRET, manager);
    if (this.secretValue) return createHmac('sha256', this.secretValue).update(body).digest('base64url');
    this.secret ??= this.setup.secret(CUSTOMER_LINK_SECRET).catch((error) => {
      this.secret = undefined; // a failed read is tried again on the next request
      throw error;
    });
    this.secretValue = await this.secret;
    return createHmac('sha256', this.secretValue).update(body).digest('base64url');
  }

  /** Every case of the order, newest first. */
  private async casesOf(orderId: string): Promise<CaseView[]> {
    const all: CaseView[] = [];
    for (;;) {
      const { items, total } = await this.cases.list({ orderId }, all.length, 200);
      all.push(...items);
      if (items.length === 0 || all.length >= total) return all;
    }
  }
}

/** Who the case's history names: the customer, through the link of this order. */
export function customerActor(orderNumber: string): Actor {
  return { kind: 'system', id: 'customer-link', name: `customer via link ${orderNumber}`, roles: [], permissions: new Set() };
}

/** Photos help while someone still decides or checks; not on a case that is rejected or closed. */
const acceptsPhotos = (view: CaseView) => view.status !== 'closed' && view.status !== 'rejected';

/**
 * The case as its customer may see it (G5.5): each status change, worded for them on the page; no staff names, owners,
 * internal steps or staff notes ("return for order SO…", QC notes). The one note kept is a rejection's reason: the
 * customer was sent it in the rejection message.
 */
export function toPublicCase(view: CaseView): PublicCase {
  return {
    number: view.number,
    type: view.type,
    status: view.status,
    reason: view.reason,
    photos: view.attachments.length,
    acceptsPhotos: acceptsPhotos(view),
    lines: view.lines.map((line) => ({ sku: line.sku, name: line.name, quantity: line.quantity })),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    history: view.history
      .filter((entry) => entry.from !== entry.to)
      .map((entry) => ({ at: entry.at, to: entry.to as PublicCase['status'], note: entry.to === 'rejected' ? entry.note : null })),
  };
}

/** The order's parcels that left with a tracking number, their events newest first (G5.5: clear tracking). */
function parcelsOf(order: OrderView): PublicParcel[] {
  const names = new Map(order.lines.map((line) => [line.sku, line.name]));
  return order.shipments
    .filter((shipment) => shipment.carrier && shipment.trackingNumber && shipment.status !== 'cancelled')
    .map((shipment) => ({
      carrier: shipment.carrier!,
      carrierName: CARRIER_NAMES[shipment.carrier!] ?? shipment.carrier!,
      trackingNumber: shipment.trackingNumber!,
      status: shipment.status,
      trackingUrl: shipment.trackingUrl,
      lines: shipment.lines.map((line) => ({ sku: line.sku, name: names.get(line.sku) ?? line.sku, quantity: line.quantity })),
      events: [...shipment.events]
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
        .map((event) => ({ at: event.at, status: event.status, location: event.location, description: event.description })),
    }));
}

/** Shipped minus what the order's cases that were not rejected took, per SKU, earlier lines of a SKU first. */
function returnableLines(order: OrderView, cases: CaseView[]): PublicOrderPage['order']['lines'] {
  const taken = new Map<string, number>();
  for (const view of cases) {
    if (view.status === 'rejected') continue;
    for (const line of view.lines) taken.set(line.sku, (taken.get(line.sku) ?? 0) + line.quantity);
  }
  return order.lines.map((line) => {
    const claimed = Math.min(line.shipped, taken.get(line.sku) ?? 0);
    taken.set(line.sku, (taken.get(line.sku) ?? 0) - claimed);
    return { sku: line.sku, name: line.name, quantity: line.quantity, shipped: line.shipped, returnable: line.shipped - claimed };
  });
}

