import { accepted, asRecord, type Checked, refused, type SignedRequest, text } from './provider-types';
import { buildTopRequest, parseTopResponse, type TopSettings } from './taobao';

/**
 * Taobao TOP stock sync (issue 15 item 2): the SKU (our sku is the seller's 商家编码, outer id) found with
 * taobao.skus.custom.get (a SKU of an item), else taobao.items.custom.get (an item without SKUs); then
 * taobao.item.quantity.update with type 1 (全量更新: the quantity is set, not added). Signed by buildTopRequest. Pure.
 */

export function buildTopSkusByOuterId(sku: string, settings: TopSettings, now?: Date): SignedRequest {
  return buildTopRequest('taobao.skus.custom.get', { outer_id: sku, fields: 'sku_id,num_iid,outer_id' }, settings, now);
}

export function buildTopItemsByOuterId(sku: string, settings: TopSettings, now?: Date): SignedRequest {
  return buildTopRequest('taobao.items.custom.get', { outer_id: sku, fields: 'num_iid,outer_id' }, settings, now);
}

export interface TopStockTarget {
  numIid: string;
  /** Absent for an item without SKUs. */
  skuId?: string;
}

export function buildTopQuantityUpdate(target: TopStockTarget, quantity: number, settings: TopSettings, now?: Date): SignedRequest {
  return buildTopRequest('taobao.item.quantity.update', {
    num_iid: target.numIid,
    ...(target.skuId ? { sku_id: target.skuId } : {}),
    quantity: String(quantity),
    type: '1',
  }, settings, now);
}

/** TOP's error of an answer: `retry` for the platform's own trouble (isp.*, call limits), not for a refusal of the call. */
export function topErrorOf(body: string): { retry: boolean; notFound: boolean; message: string } | null {
  let answer: Record<string, unknown>;
  try {
    answer = asRecord(JSON.parse(body));
  } catch {
    return { retry: true, notFound: false, message: 'the TOP answer is not JSON' };
  }
  if (!answer.error_response) return null;
  const error = asRecord(answer.error_response);
  const code = text(error.code);
  const subCode = text(error.sub_code);
  return {
    // 7: app call limited; 15 with isp.*: remote service error (TOP's error code table)
    retry: code === '7' || subCode.startsWith('isp.'),
    notFound: /not[-_]?exist|not[-_]?found/i.test(subCode),
    message: `TOP error ${code} ${text(error.msg)} ${subCode} ${text(error.sub_msg)}`.replace(/\s+/g, ' ').trim(),
  };
}

/** The SKU with this outer id from taobao.skus.custom.get, null when there is none. */
export function readTopSkusByOuterId(body: string, sku: string): Checked<TopStockTarget | null> {
  const parsed = parseTopResponse(body);
  if (!parsed.ok) return parsed;
  const skus = asRecord(asRecord(parsed.value.skus_custom_get_response).skus).sku;
  const found = (Array.isArray(skus) ? skus.map(asRecord) : []).find((entry) => text(entry.outer_id) === sku && text(entry.num_iid));
  return accepted(found ? { numIid: text(found.num_iid), skuId: text(found.sku_id) || undefined } : null);
}

/** The item with this outer id from taobao.items.custom.get, null when there is none. */
export function readTopItemsByOuterId(body: string, sku: string): Checked<TopStockTarget | null> {
  const parsed = parseTopResponse(body);
  if (!parsed.ok) return parsed;
  const items = asRecord(asRecord(parsed.value.items_custom_get_response).items).item;
  const found = (Array.isArray(items) ? items.map(asRecord) : []).find((entry) => text(entry.outer_id) === sku && text(entry.num_iid));
  return accepted(found ? { numIid: text(found.num_iid) } : null);
}

/** taobao.item.quantity.update's answer: the item it updated. */
export function readTopQuantityUpdate(body: string): Checked<string> {
  const parsed = parseTopResponse(body);
  if (!parsed.ok) return parsed;
  const item = asRecord(asRecord(parsed.value.item_quantity_update_response).item);
  return text(item.num_iid) ? accepted(text(item.num_iid)) : refused('payload_malformed', 'taobao.item.quantity.update answered without the item');
}
