/**
 * The sales channels the back office names in words (天猫, 京东, ...). An order's `channel` is free text (API.md: 1-40
 * letters, digits, _ or -), so a channel not listed here is valid and shown as its code; these are the platforms Chinese
 * shops sell on (G5.2) plus `manual`, an order entered in the back office.
 */
export const KNOWN_SALES_CHANNELS = [
  'tmall',
  'taobao',
  'jd',
  'pdd',
  'douyin',
  'kuaishou',
  'xiaohongshu',
  'youzan',
  'weidian',
  'wechat',
  'shopify',
  'woocommerce',
  'manual',
] as const;
