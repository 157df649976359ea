import { join } from 'node:path';
import {
  NOTIFICATION_EVENTS,
  NOTIFICATION_LOCALES,
  type NotificationData,
  type NotificationEvent,
  sampleNotificationData,
} from '../../../src/notifications/notification-events';
import { createTemplateRenderer } from '../../../src/notifications/template-renderer';

const TEMPLATES_DIR = join(__dirname, '../../../templates');
const SHOP = 'OMS Demo Shop';
const SMS_LIMIT = { 'zh-CN': 140, en: 320 } as const; // two concatenated segments (67 UCS-2 / 153 GSM-7 each), with room
const PROBLEM_KINDS = ['address_problem', 'delivery_exception', 'stale_tracking'] as const;

const renderer = createTemplateRenderer(TEMPLATES_DIR);
const sample = (event: NotificationEvent) => sampleNotificationData(event, SHOP);
const everyMessage = NOTIFICATION_EVENTS.flatMap((event) => NOTIFICATION_LOCALES.map((locale) => [event, locale] as const));
/** Characters as a phone counts them (code points, not UTF-16 units). */
const length = (text: string) => [...text.trim()].length;

describe('shipped templates: every event in both locales', () => {
  it.each(everyMessage)('%s (%s) renders as email', (event, locale) => {
    const data = sample(event);
    const message = renderer.render('email', event, locale, data);

    expect(message.locale).toBe(locale);
    expect(message.subject).toBeTruthy();
    expect(message.subject).toContain(SHOP);
    expect(message.text.trim()).not.toBe('');
    expect(message.text).toContain(data.order.number);
    expect(message.html).toContain(`<html lang="${locale}">`);
    expect(message.html).toContain(data.order.number);
    for (const part of [message.subject!, message.text, message.html!]) {
      expect(part).not.toMatch(/\{\{|\}\}|undefined|null|\[object Object\]/);
    }
    if (data.case) expect(message.text).toContain(data.case.number);
  });

  // issue 14 item 13: a customer link is a few hundred characters; on a line of its own a mail client wraps the text before
  // it and keeps the link whole and clickable, never glued to a label or broken in the middle of a sentence
  it.each(everyMessage)('%s (%s) puts every link of its plain text on a line of its own', (event, locale) => {
    const link = `https://shop.example.com/returns/${'eyJvIjoiNGY1YjA2'.repeat(12)}.${'Qm9nU2lnbmF0dXJl'.repeat(3)}`;
    const data = { ...sample(event), links: { afterSales: link } };
    const { text } = renderer.render('email', event, locale, data);
    const withLinks = text.split('\n').filter((line) => /https?:\/\//.test(line));
    if (text.includes('returns/')) expect(withLinks).toContain(link);
    for (const line of withLinks) expect(line).toMatch(/^https?:\/\/\S+$/);
  });

  it.each(everyMessage)('%s (%s) renders as a short one-line SMS', (event, locale) => {
    const data = sample(event);
    const { text } = renderer.render('sms', event, locale, data);

    expect(text.trim()).not.toContain('\n');
    expect(text).toContain(data.case?.number ?? data.order.number);
    expect(text).not.toMatch(/\{\{|undefined|null/);
    if (locale === 'zh-CN') expect(text.startsWith(`【${SHOP}】`)).toBe(true);
    else expect(text.startsWith(`${SHOP}: `)).toBe(true);
    expect(length(text)).toBeLessThanOrEqual(SMS_LIMIT[locale]);
  });

  it('keeps SMS without links within one segment where it can (measured on the sample data)', () => {
    const lengths = Object.fromEntries(everyMessage.map(([event, locale]) => [`${locale} ${event}`, length(renderer.render('sms', event, locale, sample(event)).text)]));
    // zh-CN: a single UCS-2 segment is 70 characters; the messages carrying a URL are the only longer ones
    for (const event of ['order-confirmation', 'payment-received', 'delivery-problem', 'after-sales-refunded'] as const) {
      expect(lengths[`zh-CN ${event}`]).toBeLessThanOrEqual(70);
      expect(lengths[`en ${event}`]).toBeLessThanOrEqual(160);
    }
  });

  it('tells a shipped order its carrier, tracking number and tracking link', () => {
    const data = sample('order-shipped');
    const zh = renderer.render('sms', 'order-shipped', 'zh-CN', data).text;
    expect(zh).toBe(`【${SHOP}】您的订单SO261201000042已发货，顺丰速运 SF Express SF1234567890123，查询：${data.shipment!.trackingUrl}\n`);

    const email = renderer.render('email', 'order-shipped', 'en', data);
    expect(email.subject).toBe(`Your ${SHOP} order SO261201000042 has shipped`);
    expect(email.text).toContain('Tracking number: SF1234567890123');
    expect(email.text).toContain(`Track your parcel:\n${data.shipment!.trackingUrl}\n`);
    expect(email.text).toContain(data.links.afterSales!);
    expect(email.html).toContain('href="https://www.kuaidi100.com/chaxun?com&#x3D;shunfeng&amp;nu&#x3D;SF1234567890123"');
  });

  it('falls back to carrier and tracking number when the carrier has no tracking page', () => {
    const data = sample('replacement-shipped');
    data.shipment!.trackingUrl = null;
    expect(renderer.render('sms', 'replacement-shipped', 'zh-CN', data).text).toBe(
      `【${SHOP}】售后AS261201000007的换货商品已重新发货，物流：顺丰速运 SF Express SF1234567890123\n`,
    );
    const shipped = sample('order-shipped');
    shipped.shipment!.trackingUrl = null;
    const email = renderer.render('email', 'order-shipped', 'zh-CN', shipped);
    expect(email.text).toContain('运单号：SF1234567890123');
    expect(email.text).not.toContain('物流查询');
    expect(email.html).not.toContain('查看物流');
    expect(renderer.render('sms', 'order-shipped', 'en', shipped).text).not.toContain('Track:');
  });

  it('leaves the after-sales link out when none could be issued', () => {
    for (const event of NOTIFICATION_EVENTS) {
      const data = sample(event);
      data.links.afterSales = null;
      for (const locale of NOTIFICATION_LOCALES) {
        for (const channel of ['email', 'sms'] as const) {
          const message = renderer.render(channel, event, locale, data);
          expect(`${message.text}${message.html ?? ''}`).not.toMatch(/returns\/|null|href=""/);
        }
      }
    }
    const delivered = sample('order-delivered');
    delivered.links.afterSales = null;
    expect(renderer.render('sms', 'order-delivered', 'zh-CN', delivered).text).toContain('如有问题请联系客服');
    expect(renderer.render('email', 'order-delivered', 'en', delivered).text).toContain('within the after-sales period or contact our customer service.');
  });

  it('offers the after-sales link where the customer may need it', () => {
    for (const event of ['order-shipped', 'order-delivered', 'after-sales-opened', 'after-sales-approved', 'after-sales-rejected', 'after-sales-refunded', 'replacement-shipped'] as const) {
      const data = sample(event);
      for (const locale of NOTIFICATION_LOCALES) {
        const message = renderer.render('email', event, locale, data);
        expect(message.text).toContain(data.links.afterSales!);
        expect(message.html).toContain(`href="${data.links.afterSales!}"`);
      }
    }
    expect(renderer.render('sms', 'order-delivered', 'en', sample('order-delivered')).text).toContain(sample('order-delivered').links.afterSales!);
  });

  it('gives the reason of a cancellation when there is one, and still renders without', () => {
    const data = sample('order-cancelled');
    data.cancellation = { reason: '客户要求取消' };
    expect(renderer.render('email', 'order-cancelled', 'zh-CN', data).text).toContain('取消原因：客户要求取消');
    expect(renderer.render('sms', 'order-cancelled', 'zh-CN', data).text).toContain('已取消（客户要求取消）');
    expect(renderer.render('email', 'order-cancelled', 'en', data).html).toContain('Reason: 客户要求取消');

    delete data.cancellation;
    for (const locale of NOTIFICATION_LOCALES) {
      const message = renderer.render('email', 'order-cancelled', locale, data);
      expect(message.text).not.toMatch(/取消原因|Reason/);
      expect(message.subject).toContain('SO261201000042');
    }
  });

  it('prints the payment received, or the order total when the payment carries no amount', () => {
    const data = sample('payment-received');
    expect(renderer.render('email', 'payment-received', 'zh-CN', data).text).toContain('付款金额：¥311.50\n付款时间：2026年12月1日 17:31');
    data.order.payment = { amount: '300.00', paidAt: null };
    expect(renderer.render('email', 'payment-received', 'en', data).text).toContain('Amount paid: CN¥300.00\n\nItems:');
    delete data.order.payment;
    expect(renderer.render('email', 'payment-received', 'en', data).text).toContain('Amount paid: CN¥311.50');
    expect(renderer.render('sms', 'payment-received', 'zh-CN', data).text).toBe(`【${SHOP}】已收到订单SO261201000042的付款，我们正在为您备货，发货后将通知您。\n`);
  });

  const CASE_TYPE_EXPECTED: Record<string, { zh: string; en: string; nextStep: string }> = {
    return: { zh: '退货', en: 'Return', nextStep: 'send them back to us' },
    exchange: { zh: '换货', en: 'Exchange', nextStep: 'send them back to us' },
    refund_only: { zh: '仅退款', en: 'Refund only', nextStep: 'There is nothing to send back' },
    lost: { zh: '丢件', en: 'Lost parcel', nextStep: 'We will send you a replacement or refund you' },
    damaged: { zh: '破损', en: 'Damaged goods', nextStep: 'We will send you a replacement or refund you' },
    wrong_item: { zh: '错发', en: 'Wrong item', nextStep: 'We will send you a replacement or refund you' },
    missing_item: { zh: '漏发', en: 'Missing item', nextStep: 'We will send you a replacement or refund you' },
  };

  it.each(Object.entries(CASE_TYPE_EXPECTED))('names the after-sales type %s and its next step', (type, expected) => {
    const data = sample('after-sales-approved');
    data.case!.type = type;
    const zh = renderer.render('email', 'after-sales-approved', 'zh-CN', data);
    const en = renderer.render('email', 'after-sales-approved', 'en', data);
    expect(zh.text).toContain(`售后类型：${expected.zh}`);
    expect(renderer.render('sms', 'after-sales-approved', 'zh-CN', data).text).toContain(`您的${expected.zh}申请`);
    expect(en.text).toContain(`Type: ${expected.en}`);
    expect(en.text).toContain(expected.nextStep);
    expect(en.html).toContain(expected.nextStep);
  });

  it.each(PROBLEM_KINDS)('explains the delivery problem %s', (kind) => {
    const data: NotificationData = sample('delivery-problem');
    data.problem = { kind, description: 'x' };
    const zh = renderer.render('email', 'delivery-problem', 'zh-CN', data);
    const en = renderer.render('email', 'delivery-problem', 'en', data);
    const label = { address_problem: ['收货地址异常', 'Delivery address problem'], delivery_exception: ['派送异常', 'Delivery exception'], stale_tracking: ['物流长时间未更新', 'No tracking updates'] }[kind];
    expect(zh.text).toContain(`在配送中遇到问题：${label[0]}。`);
    expect(en.text).toContain(`of your order SO261201000042: ${label[1]}.`);
    // only an address problem asks the customer to act, and shows the address to check
    expect(zh.text.includes('请核对您的收货地址')).toBe(kind === 'address_problem');
    expect(en.html!.includes('文三路 100 号 3 单元 501')).toBe(kind === 'address_problem');
  });

  it("escapes the customer's name in html and keeps it as it is in text", () => {
    const name = '<script>alert(1)</script>';
    for (const [event, locale] of everyMessage) {
      const data = sample(event);
      data.order.customer.name = name;
      const message = renderer.render('email', event, locale, data);
      expect(message.html).not.toContain('<script>');
      expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(message.text).toContain(name);
    }
  });

  it('falls back to the default locale for a language without templates', () => {
    for (const event of NOTIFICATION_EVENTS) {
      const email = renderer.render('email', event, 'fr', sample(event));
      expect(email.locale).toBe('zh-CN');
      expect(email.html).toContain('<html lang="zh-CN">');
      expect(renderer.render('sms', event, 'fr-FR', sample(event)).locale).toBe('zh-CN');
    }
    expect(createTemplateRenderer(TEMPLATES_DIR, 'en').render('sms', 'order-shipped', 'fr', sample('order-shipped')).locale).toBe('en');
  });

  it('ships every template in a form the editor accepts', () => {
    const paths = renderer.templatePaths();
    const expected = NOTIFICATION_EVENTS.flatMap((event) =>
      NOTIFICATION_LOCALES.flatMap((locale) => [
        `email/${locale}/${event}.html.hbs`,
        `email/${locale}/${event}.subject.hbs`,
        `email/${locale}/${event}.text.hbs`,
        `sms/${locale}/${event}.text.hbs`,
      ]),
    );
    expect(paths).toEqual(expect.arrayContaining(expected));
    expect(paths).toContain('layouts/email.html.hbs');
    for (const path of paths) {
      expect(() => renderer.checkTemplate(path, renderer.sourceOf(path)!.source)).not.toThrow();
    }
  });
});
