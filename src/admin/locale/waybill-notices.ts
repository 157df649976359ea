import type { zhCN } from './zh-CN';

type Words = typeof zhCN;

/** 打包 notices with the e-waybill's outcome (src/admin/actions/waybill-notice.ts), in Chinese (issue 15 item 4). */
const PACKED = String.raw`Shipment (?:from (\S+) )?of order (\S+) packed`;
const packed = (warehouse: string | undefined, number: string) => `订单 ${number}${warehouse ? ` 在 ${warehouse}` : ''} 的发货单已打包`;
const carrierName = (words: Words, code: string) => (words.enums.carrier as Record<string, string>)[code] ?? code;
const because = (reason: string | undefined) => (reason ? `（${reason}）` : '');

export const WAYBILL_NOTICES_ZH: Array<[RegExp, (match: RegExpMatchArray, words: Words) => string]> = [
  [new RegExp(`^${PACKED}; e-waybill (\\S+) (\\S+) issued: print the label$`), ([, warehouse, number, carrier, waybill], words) =>
    `${packed(warehouse, number)}；已取得${carrierName(words, carrier)}电子面单，运单号 ${waybill}，请打印面单`],
  [new RegExp(`^${PACKED}; the (\\S+) e-waybill is not issued yet(?: \\((.*)\\))?: it is retried automatically; print the label once the number is in$`), ([, warehouse, number, carrier, reason], words) =>
    `${packed(warehouse, number)}；${carrierName(words, carrier)}电子面单暂未取得${because(reason)}。打包已保存，系统会自动重试，取得运单号后再打印面单`],
  [new RegExp(`^${PACKED}; the (\\S+) e-waybill could not be obtained(?: \\((.*)\\))?: check the Kuaidi100 connector, then fetch it again$`), ([, warehouse, number, carrier, reason], words) =>
    `${packed(warehouse, number)}；${carrierName(words, carrier)}电子面单未能取得${because(reason)}。打包已保存，请检查快递100连接后重新获取面单`],
];
