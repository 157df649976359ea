import type { zhCN } from './zh-CN';

type Words = typeof zhCN;

/**
 * 打包 notices with the e-waybill's outcome, and those of 重新获取电子面单 (src/admin/actions/waybill-notice.ts), in Chinese
 * (issue 15 item 4).
 */
const BASE = String.raw`(?:Shipment (?:from (\S+) )?of order (\S+) packed|E-waybill asked again for order (\S+))`;
const base = (warehouse: string | undefined, packedOrder: string | undefined, askedOrder: string | undefined) =>
  packedOrder ? `订单 ${packedOrder}${warehouse ? ` 在 ${warehouse}` : ''} 的发货单已打包` : `已为订单 ${askedOrder} 重新获取电子面单`;
const carrierName = (words: Words, code: string) => (words.enums.carrier as Record<string, string>)[code] ?? code;
const because = (reason: string | undefined) => (reason ? `（${reason}）` : '');

export const WAYBILL_NOTICES_ZH: Array<[RegExp, (match: RegExpMatchArray, words: Words) => string]> = [
  [new RegExp(`^${BASE}; e-waybill (\\S+) (\\S+) issued: print the label$`), ([, warehouse, packedOrder, askedOrder, carrier, waybill], words) =>
    `${base(warehouse, packedOrder, askedOrder)}；已取得${carrierName(words, carrier)}电子面单，运单号 ${waybill}，请打印面单`],
  [new RegExp(`^${BASE}; the (\\S+) e-waybill is not issued yet(?: \\((.*)\\))?: it is retried automatically; print the label once the number is in$`), ([, warehouse, packedOrder, askedOrder, carrier, reason], words) =>
    `${base(warehouse, packedOrder, askedOrder)}；${carrierName(words, carrier)}电子面单暂未取得${because(reason)}。打包已保存，系统会自动重试，取得运单号后再打印面单`],
  [new RegExp(`^${BASE}; the (\\S+) e-waybill could not be obtained(?: \\((.*)\\))?: check the Kuaidi100 connector, then fetch it again$`), ([, warehouse, packedOrder, askedOrder, carrier, reason], words) =>
    `${base(warehouse, packedOrder, askedOrder)}；${carrierName(words, carrier)}电子面单未能取得${because(reason)}。打包已保存，请检查快递100连接后重新获取面单`],
];
