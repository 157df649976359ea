import { type ClaimedPush, PermanentPushError, sendSignedRequest } from '../outbound/push-sender';
import type { OpenedIntegration } from '../integrations.service';
import { planShopifyFulfilment, SHOPIFY_TRACKING_COMPANIES, shopifyAdminOf, shopifyAdminRequest } from '../providers/shopify';
import { buildTopWaybillSendBack, readTopSendBackAnswer, topSettingsOf } from '../providers/taobao';
import { buildWooCommerceFulfilment } from '../providers/woocommerce';

/** What the ship's transaction writes for a shop platform (issue 15 item 2): one shipment of one of its orders. */
export interface FulfilmentPayload {
  orderNumber: string;
  /** The platform's order id (Shopify order id, WooCommerce order id, Taobao tid): our order's externalId. */
  externalId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  /** Our SKUs and units in this shipment. */
  lines: Array<{ sku: string; quantity: number }>;
  /** Every unit of the order has shipped with this shipment. */
  complete: boolean;
}

const payloadOf = (push: ClaimedPush): FulfilmentPayload => push.payload as unknown as FulfilmentPayload;

/**
 * Shopify's and WooCommerce's order ids are whole numbers; any other externalId (an order of that channel typed in through
 * our API) names no order there, and is never put into a URL path.
 */
function platformOrderId(shipment: FulfilmentPayload, platform: string): string {
  if (!/^\d{1,20}$/.test(shipment.externalId)) throw new PermanentPushError(`${platform} order ids are numbers; order ${shipment.orderNumber}'s externalId "${shipment.externalId.slice(0, 100)}" is not one`);
  return shipment.externalId;
}

/**
 * Shopify: the order's line items and open fulfillment orders, then one fulfilment per location with tracking_info. What
 * Shopify no longer has to fulfil is left out, so a retry after a lost answer fulfils nothing twice; a SKU the Shopify order
 * does not have is refused (a person fixes it, then retries the push).
 */
export async function sendShopifyFulfilment(connector: OpenedIntegration, push: ClaimedPush): Promise<void> {
  const shipment = payloadOf(push);
  const admin = shopifyAdminOf(connector.settings, connector.secrets);
  if (typeof admin === 'string') throw new PermanentPushError(admin);
  const order = platformOrderId(shipment, 'Shopify');
  const lineItems = await sendSignedRequest(shopifyAdminRequest(admin, 'GET', `orders/${order}.json?fields=id,line_items`));
  const fulfillmentOrders = await sendSignedRequest(shopifyAdminRequest(admin, 'GET', `orders/${order}/fulfillment_orders.json`));
  const tracking = { number: shipment.trackingNumber, company: SHOPIFY_TRACKING_COMPANIES[shipment.carrier] ?? shipment.carrier, url: shipment.trackingUrl };
  const plan = planShopifyFulfilment(lineItems.body, fulfillmentOrders.body, shipment.lines, tracking, connector.settings.notifyCustomer === true);
  if (plan.missing.length) {
    throw new PermanentPushError(`Shopify order ${shipment.externalId} has no line item with SKU ${plan.missing.join(', ')}: nothing was fulfilled`);
  }
  for (const body of plan.fulfilments) await sendSignedRequest(shopifyAdminRequest(admin, 'POST', 'fulfillments.json', body));
}

/**
 * WooCommerce: a customer note with the tracking (not added again when a retry finds it there), then status completed once
 * the whole order has shipped.
 */
export async function sendWooCommerceFulfilment(connector: OpenedIntegration, push: ClaimedPush): Promise<void> {
  const shipment = payloadOf(push);
  const storeUrl = typeof connector.settings.storeUrl === 'string' ? connector.settings.storeUrl : '';
  if (!storeUrl) throw new PermanentPushError('settings.storeUrl is not set: the tracking cannot be sent to WooCommerce');
  const { consumerKey, consumerSecret } = connector.secrets;
  if (!consumerKey || !consumerSecret) throw new PermanentPushError('secrets.consumerKey and secrets.consumerSecret (a REST API key with write access) are needed to send the tracking to WooCommerce');
  const requests = buildWooCommerceFulfilment({ baseUrl: storeUrl, consumerKey, consumerSecret }, platformOrderId(shipment, 'WooCommerce'), shipment);
  if (push.attempts === 1 || !(await hasNote(requests.notes, shipment.trackingNumber))) await sendSignedRequest(requests.note);
  if (requests.order) await sendSignedRequest(requests.order);
}

/** Whether the order has a note carrying this tracking number already (WooCommerce may reformat a note's text, not the number). */
async function hasNote(list: Parameters<typeof sendSignedRequest>[0], trackingNumber: string): Promise<boolean> {
  const { body } = await sendSignedRequest(list);
  let notes: unknown;
  try {
    notes = JSON.parse(body);
  } catch {
    return false;
  }
  return Array.isArray(notes) && notes.some((note) => String((note as { note?: unknown })?.note ?? '').includes(trackingNumber));
}

/**
 * Taobao TOP: taobao.logistics.offline.send (tid, out_sid, company_code), signed per TOP. A trade TOP reports consigned
 * already counts as done; TOP's own failures are retried; any other error is refused.
 */
export async function sendTopWaybill(connector: OpenedIntegration, push: ClaimedPush): Promise<void> {
  const shipment = payloadOf(push);
  const settings = topSettingsOf(connector.settings, connector.secrets);
  if (!settings.appKey || !settings.appSecret || !settings.session) {
    throw new PermanentPushError('settings.appKey, secrets.appSecret and secrets.sessionKey are needed to send the waybill to Taobao');
  }
  const { body } = await sendSignedRequest(buildTopWaybillSendBack({ tid: shipment.externalId, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber }, settings));
  const answer = readTopSendBackAnswer(body);
  if (answer.outcome === 'retry') throw new Error(answer.message);
  if (answer.outcome === 'refused') throw new PermanentPushError(answer.message);
}
