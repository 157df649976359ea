import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createTemplateRenderer,
  lineTotal,
  TemplateCompileError,
  TemplateNotFoundError,
  TemplateRenderError,
  TemplateRenderer,
} from '../../../src/notifications/template-renderer';

const TEMPLATES_DIR = join(__dirname, '../../../templates');

function confirmationData() {
  return {
    shop: { name: '示例商城' },
    order: {
      number: 'SO-20250301-0001',
      placedAt: '2025-03-01T02:05:00Z',
      customer: { name: '张三', phone: '13800138000', email: 'zhangsan@example.com' },
      shippingAddress: { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 100 号 2 单元 301', postalCode: '310012' },
      lines: [
        { sku: 'TS-001', name: '纯棉T恤', quantity: 3, unitPrice: '19.99' },
        { sku: 'MUG-02', name: 'Mug "Classic"', quantity: 1, unitPrice: '129.00' },
      ],
      totals: { items: '188.97', shipping: '10.00', grand: '198.97' },
      currency: 'CNY' as const,
    },
  };
}

/** A templates directory of its own, for broken and special templates. */
function tempTemplates(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'oms-templates-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  tempDirs.push(dir);
  return dir;
}
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('TemplateRenderer with the shipped templates', () => {
  const renderer = createTemplateRenderer(TEMPLATES_DIR);

  it('renders the zh-CN order confirmation', () => {
    const message = renderer.render('email', 'order-confirmation', 'zh-CN', confirmationData());

    expect(message.locale).toBe('zh-CN');
    expect(message.subject).toBe('【示例商城】您的订单 SO-20250301-0001 已确认');

    expect(message.text).toContain('张三，您好：');
    expect(message.text).toContain('您的订单 SO-20250301-0001 已确认');
    expect(message.text).toContain('下单时间：2025年3月1日 10:05'); // 02:05Z in Asia/Shanghai
    expect(message.text).toContain('- 纯棉T恤 [TS-001]  ¥19.99 × 3 = ¥59.97\n');
    expect(message.text).toContain('- Mug "Classic" [MUG-02]  ¥129.00 × 1 = ¥129.00\n');
    expect(message.text).toContain('商品金额：¥188.97\n运费：¥10.00\n应付总额：¥198.97');
    expect(message.text).toContain('张三 13800138000\n浙江省杭州市西湖区文三路 100 号 2 单元 301\n邮编：310012');
    expect(message.text).toContain('商品发货后，我们会第一时间通知您。');
    expect(message.text).not.toMatch(/&[a-z#0-9]+;/); // nothing HTML-escaped in plain text
    expect(message.text).not.toMatch(/\n{3,}/);

    const html = message.html!;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<title>【示例商城】您的订单 SO-20250301-0001 已确认</title>');
    expect(html).toContain('<strong>SO-20250301-0001</strong>');
    for (const label of ['商品编号', '商品名称', '数量', '单价', '小计', '运费', '应付总额', '收货信息']) expect(html).toContain(label);
    expect(html).toContain('>¥59.97</td>');
    expect(html).toContain('>¥198.97</td>');
    expect(html).toContain('Mug &quot;Classic&quot;');
    expect(html).toContain('此邮件由 示例商城 系统自动发送');
  });

  it('renders the en order confirmation', () => {
    const data = { ...confirmationData(), shop: { name: 'Demo Shop' } };
    const message = renderer.render('email', 'order-confirmation', 'en', data);

    expect(message.locale).toBe('en');
    expect(message.subject).toBe('Your Demo Shop order SO-20250301-0001 is confirmed');
    expect(message.text).toContain('Hello 张三,');
    expect(message.text).toContain('Your order SO-20250301-0001 is confirmed.');
    expect(message.text).toContain('Placed on: March 1, 2025 at 10:05 AM');
    expect(message.text).toContain('CN¥19.99 × 3 = CN¥59.97');
    expect(message.text).toContain('Total: CN¥198.97');
    expect(message.text).toContain('西湖区, 杭州市, 浙江省 310012');
    expect(message.text).toContain('We will let you know as soon as your order ships.');
    expect(message.html).toContain('<html lang="en">');
    expect(message.html).toContain('Unit price');
    expect(message.html).toContain('This is an automated message from Demo Shop.');
  });

  it('leaves out optional address fields', () => {
    const data = confirmationData();
    const { district: _district, postalCode: _postalCode, ...address } = data.order.shippingAddress;
    const message = renderer.render('email', 'order-confirmation', 'zh-CN', { ...data, order: { ...data.order, shippingAddress: address } });
    expect(message.text).toContain('浙江省杭州市文三路 100 号 2 单元 301');
    expect(message.text).not.toContain('邮编');
    expect(message.html).not.toContain('邮编');
  });

  it('escapes customer data in HTML but keeps plain text literal', () => {
    const data = confirmationData();
    data.shop.name = 'A & B <Shop>';
    data.order.customer.name = '<script>alert("x")</script> & Co';
    const message = renderer.render('email', 'order-confirmation', 'zh-CN', data);

    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<Shop>');
    expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(message.html).toContain('A &amp; B &lt;Shop&gt;');

    expect(message.text).toContain('<script>alert("x")</script> & Co，您好：');
    expect(message.text).toContain('感谢您在 A & B <Shop> 购物！');
    expect(message.subject).toBe('【A & B <Shop>】您的订单 SO-20250301-0001 已确认');
  });

  it('keeps the subject on one line whatever the data holds', () => {
    const data = confirmationData();
    data.shop.name = 'Shop\r\nBcc: victim@example.com\n';
    data.order.number = 'SO-1\u2028X-Injected: 1';
    const message = renderer.render('email', 'order-confirmation', 'zh-CN', data);
    expect(message.subject).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(message.subject).toBe('【Shop Bcc: victim@example.com 】您的订单 SO-1 X-Injected: 1 已确认');
  });

  it('falls back: language of the locale, then the default locale', () => {
    const data = confirmationData();
    expect(renderer.render('email', 'order-confirmation', 'en-US', data).locale).toBe('en');
    expect(renderer.render('email', 'order-confirmation', 'zh-cn', data).locale).toBe('zh-CN');
    expect(renderer.render('email', 'order-confirmation', 'fr-FR', data).locale).toBe('zh-CN');
    expect(renderer.render('email', 'order-confirmation', 'zh-TW', data).locale).toBe('zh-CN');
    expect(renderer.render('email', 'order-confirmation', '', data).locale).toBe('zh-CN');
    expect(renderer.render('email', 'order-confirmation', '../../etc', data).locale).toBe('zh-CN');

    const englishDefault = createTemplateRenderer(TEMPLATES_DIR, { defaultLocale: 'en' });
    expect(englishDefault.render('email', 'order-confirmation', 'ja', data).locale).toBe('en');
    expect(new TemplateRenderer(TEMPLATES_DIR, 'en').render('email', 'order-confirmation', 'de', data).locale).toBe('en');
  });

  it('throws TemplateNotFoundError for an unknown event or channel template', () => {
    expect(() => renderer.render('email', 'no-such-event', 'en', {})).toThrow(TemplateNotFoundError);
    expect(() => renderer.render('email', 'no-such-event', 'en', {})).toThrow(
      'No email template "no-such-event" for locale "en" (looked for: email/en/no-such-event.text.hbs, email/zh-CN/no-such-event.text.hbs)',
    );
    expect(() => renderer.render('sms', 'no-such-event', 'zh-CN', {})).toThrow('No sms template "no-such-event" for locale "zh-CN" (looked for: sms/zh-CN/no-such-event.text.hbs, sms/zh/no-such-event.text.hbs)');
    expect(() => renderer.render('email', '../layouts/email', 'zh-CN', {})).toThrow(TemplateNotFoundError);
  });

  it('throws when data the template needs is missing (strict mode)', () => {
    const data = confirmationData();
    const { number: _number, ...orderWithoutNumber } = data.order;
    expect(() => renderer.render('email', 'order-confirmation', 'zh-CN', { ...data, order: orderWithoutNumber })).toThrow(TemplateRenderError);
    expect(() => renderer.render('email', 'order-confirmation', 'zh-CN', { ...data, order: orderWithoutNumber })).toThrow(
      /^email\/zh-CN\/order-confirmation\.text\.hbs: "number" not defined in \[object Object\] - \d+:\d+$/,
    );

    const { shipping: _shipping, ...totals } = data.order.totals;
    expect(() => renderer.render('email', 'order-confirmation', 'zh-CN', { ...data, order: { ...data.order, totals } })).toThrow(
      /money: expected a decimal string such as "129\.00", got undefined \(missing field\?\)/,
    );

    const badLine = { ...data.order.lines[0], unitPrice: 19.99 };
    expect(() => renderer.render('email', 'order-confirmation', 'zh-CN', { ...data, order: { ...data.order, lines: [badLine] } })).toThrow(/got number 19\.99/);
  });

  it('uses no triple-stash except {{{body}}} in the layout', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(TEMPLATES_DIR);
    const unescaped = files.flatMap((file) => (readFileSync(file, 'utf8').match(/\{\{\{[^}]*\}\}\}|\{\{~?&[^}]*\}\}/g) ?? []).map((m) => `${file}: ${m}`));
    expect(unescaped).toEqual([`${join(TEMPLATES_DIR, 'layouts/email.html.hbs')}: {{{body}}}`]);
  });
});

describe('helpers', () => {
  const dir = tempTemplates({
    'email/en/helpers.subject.hbs': 'helpers',
    'email/en/helpers.text.hbs': [
      'total={{lineTotal price qty}}',
      'money={{money amount}}',
      'usd={{money amount currency="USD"}}',
      'line={{money (lineTotal price qty)}}',
      'date={{date at}}',
      'utc={{date at timeZone="UTC" format="date"}}',
    ].join('\n'),
    'email/zh-CN/helpers.subject.hbs': 'helpers',
    'email/zh-CN/helpers.text.hbs': 'money={{money amount}} line={{money (lineTotal price qty)}} date={{date at}}',
  });
  const renderer = createTemplateRenderer(dir);
  const render = (locale: string, data: object) => renderer.render('email', 'helpers', locale, data).text;

  it('lineTotal multiplies on integer cents', () => {
    expect(lineTotal('19.99', 3)).toBe('59.97'); // 19.99 * 3 === 59.97000000000001 in floats
    expect(lineTotal('0.10', 3)).toBe('0.30');
    expect(lineTotal('1.1', 3)).toBe('3.30');
    expect(lineTotal('99999999.99', 1000)).toBe('99999999990.00');
    expect(lineTotal('19.99', '3')).toBe('59.97');
    expect(lineTotal('5.00', 0)).toBe('0.00');
    expect(() => lineTotal('19.999', 1)).toThrow(/lineTotal/);
    expect(() => lineTotal(19.99, 1)).toThrow(/lineTotal/);
    expect(() => lineTotal('19.99', 1.5)).toThrow(/whole quantity/);
    expect(() => lineTotal('19.99', -1)).toThrow(/whole quantity/);
  });

  it('formats money, line totals and dates per locale', () => {
    const data = { price: '19.99', qty: 3, amount: '1234567.8', at: '2024-12-31T16:30:00.000Z' };
    expect(render('zh-CN', data)).toBe('money=¥1,234,567.80 line=¥59.97 date=2025年1月1日 00:30\n');
    expect(render('en', data)).toBe(
      ['total=59.97', 'money=CN¥1,234,567.80', 'usd=$1,234,567.80', 'line=CN¥59.97', 'date=January 1, 2025 at 12:30 AM', 'utc=December 31, 2024', ''].join('\n'),
    );
  });

  it('takes the currency from the data', () => {
    const data = { price: '19.99', qty: 3, amount: '-5.10', at: '2025-01-01T00:00:00Z' };
    expect(render('zh-CN', { ...data, currency: 'USD' })).toContain('money=-US$5.10');
    expect(render('zh-CN', { ...data, order: { currency: 'USD' } })).toContain('money=-US$5.10');
    expect(() => render('zh-CN', { ...data, currency: 'usd' })).toThrow(/invalid currency/);
  });

  it('rejects bad values', () => {
    const data = { price: '19.99', qty: 3, amount: '1.00', at: '2025-01-01T00:00:00Z' };
    expect(() => render('zh-CN', { ...data, amount: 1 })).toThrow(/money: expected a decimal string/);
    expect(() => render('zh-CN', { ...data, amount: '1,00' })).toThrow(/money: expected a decimal string/);
    expect(() => render('zh-CN', { ...data, at: 'yesterday' })).toThrow(/date: expected an ISO 8601 timestamp/);
    expect(() => render('zh-CN', { ...data, qty: 'three' })).toThrow(/whole quantity/);
  });

  it('uses the configured time zone', () => {
    const utc = createTemplateRenderer(dir, { timeZone: 'UTC' });
    const data = { price: '1.00', qty: 1, amount: '1.00', at: '2024-12-31T16:30:00Z' };
    expect(utc.render('email', 'helpers', 'zh-CN', data).text).toContain('date=2024年12月31日 16:30');
  });

  it("shows dates in the data's time zone (the shop's, from the settings) over the renderer's", () => {
    const utc = createTemplateRenderer(dir, { timeZone: 'UTC' });
    const data = { price: '1.00', qty: 1, amount: '1.00', at: '2024-12-31T16:30:00Z', timeZone: 'Asia/Shanghai' };
    expect(utc.render('email', 'helpers', 'zh-CN', data).text).toContain('date=2025年1月1日 00:30');
  });
});

describe('compile errors and special templates', () => {
  it('reports a parse error with file, line and column', () => {
    const dir = tempTemplates({
      'email/en/broken.subject.hbs': 'ok',
      'email/en/broken.text.hbs': 'ok',
      'email/en/broken.html.hbs': '<p>line 1</p>\n<p>{{order.number}</p>\n',
    });
    const renderer = createTemplateRenderer(dir);
    let error: unknown;
    try {
      renderer.render('email', 'broken', 'en', { order: { number: '1' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TemplateCompileError);
    const compileError = error as TemplateCompileError;
    expect(compileError.file).toBe('email/en/broken.html.hbs');
    expect(compileError.line).toBe(2);
    expect(compileError.column).toBe(18);
    expect(compileError.message).toMatch(/^email\/en\/broken\.html\.hbs:2:18: Parse error on line 2:/);
  });

  it('reports a mismatched block with its line', () => {
    const dir = tempTemplates({
      'email/en/mismatch.subject.hbs': 'ok',
      'email/en/mismatch.text.hbs': 'line 1\n{{#if a}}\n  x\n{{/each}}\n',
    });
    expect(() => createTemplateRenderer(dir).render('email', 'mismatch', 'en', { a: 1 })).toThrow(
      /^email\/en\/mismatch\.text\.hbs:2:\d+: if doesn't match each$/,
    );
  });

  it('reports a broken partial by its file', () => {
    const dir = tempTemplates({
      'email/en/x.subject.hbs': 'ok',
      'email/en/x.text.hbs': 'ok',
      'partials/lines.text.hbs': 'a\nb\nc {{#each}}',
    });
    expect(() => createTemplateRenderer(dir).render('email', 'x', 'en', {})).toThrow(/^partials\/lines\.text\.hbs:3:\d+: Parse error on line 3/);
  });

  it('rejects unescaped output in html templates and layouts', () => {
    const dir = tempTemplates({
      'email/en/raw.subject.hbs': 'ok',
      'email/en/raw.text.hbs': 'ok',
      'email/en/raw.html.hbs': '<p>\n  {{{order.note}}}</p>',
      'email/en/amp.subject.hbs': 'ok',
      'email/en/amp.text.hbs': 'ok',
      'email/en/amp.html.hbs': '{{& order.note}}',
    });
    const renderer = createTemplateRenderer(dir);
    const data = { order: { note: '<b>hi</b>' } };
    expect(() => renderer.render('email', 'raw', 'en', data)).toThrow(/^email\/en\/raw\.html\.hbs:2:3: unescaped output/);
    expect(() => renderer.render('email', 'amp', 'en', data)).toThrow(TemplateCompileError);

    const layoutDir = tempTemplates({
      'email/en/x.subject.hbs': 'ok',
      'email/en/x.text.hbs': 'ok',
      'email/en/x.html.hbs': '<p>x</p>',
      'layouts/email.html.hbs': '<title>{{{subject}}}</title>{{{body}}}',
    });
    expect(() => createTemplateRenderer(layoutDir).render('email', 'x', 'en', {})).toThrow(/layouts\/email\.html\.hbs:1:8: a layout may only output \{\{\{body\}\}\}/);
  });

  it('requires a subject for email, and renders sms and layout-less email', () => {
    const dir = tempTemplates({
      'email/zh-CN/nosubject.text.hbs': 'text',
      'email/zh-CN/plain.subject.hbs': '  你好\n{{name}}  ',
      'email/zh-CN/plain.text.hbs': 'Hi {{name}}',
      'email/zh-CN/plain.html.hbs': '<p>Hi {{name}}</p>',
      'sms/zh-CN/code.text.hbs': '【{{shop}}】您的订单 {{number}} 已发货 & 请注意查收',
    });
    const renderer = createTemplateRenderer(dir);
    expect(() => renderer.render('email', 'nosubject', 'zh-CN', {})).toThrow(/looked for: email\/zh-CN\/nosubject\.subject\.hbs/);
    expect(renderer.render('email', 'plain', 'en', { name: 'A & B' })).toEqual({
      subject: '你好 A & B',
      text: 'Hi A & B\n',
      html: '<p>Hi A &amp; B</p>',
      locale: 'zh-CN',
    });
    expect(renderer.render('sms', 'code', 'zh-CN', { shop: '示例', number: 'SO-1' })).toEqual({
      text: '【示例】您的订单 SO-1 已发货 & 请注意查收\n',
      locale: 'zh-CN',
    });
  });

  it('caches compiled templates until reload()', () => {
    const dir = tempTemplates({ 'email/en/x.subject.hbs': 'v1', 'email/en/x.text.hbs': 'text' });
    const renderer = createTemplateRenderer(dir);
    expect(renderer.render('email', 'x', 'en', {}).subject).toBe('v1');
    writeFileSync(join(dir, 'email/en/x.subject.hbs'), 'v2');
    mkdirSync(join(dir, 'email/fr'));
    writeFileSync(join(dir, 'email/fr/x.subject.hbs'), 'fr');
    writeFileSync(join(dir, 'email/fr/x.text.hbs'), 'fr');
    expect(renderer.render('email', 'x', 'en', {}).subject).toBe('v1');
    renderer.reload();
    expect(renderer.render('email', 'x', 'en', {}).subject).toBe('v2');
    expect(renderer.render('email', 'x', 'fr', {}).locale).toBe('fr');
  });

  it('does not fall back to prototype properties', () => {
    const dir = tempTemplates({ 'email/en/proto.subject.hbs': 'x', 'email/en/proto.text.hbs': '{{constructor.name}}' });
    expect(() => createTemplateRenderer(dir).render('email', 'proto', 'en', {})).toThrow(TemplateRenderError);
  });

  it('validates its options', () => {
    expect(() => createTemplateRenderer(TEMPLATES_DIR, { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => createTemplateRenderer(TEMPLATES_DIR, { defaultCurrency: 'yuan' })).toThrow(RangeError);
    expect(() => createTemplateRenderer(TEMPLATES_DIR, { defaultLocale: '../x' })).toThrow(RangeError);
  });
});

describe('notification helpers', () => {
  const everyHelper = '{{trackingLink shipment}}|{{afterSalesLink}}|{{caseType type}}|{{problemText kind}}';
  const dir = tempTemplates({
    'email/en/h.subject.hbs': 'h',
    'email/en/h.text.hbs': everyHelper,
    'email/zh-CN/h.subject.hbs': 'h',
    'email/zh-CN/h.text.hbs': everyHelper,
    'email/zh-CN/h.html.hbs': '{{#each items}}<a href="{{afterSalesLink}}">{{caseType this}}</a>{{/each}}',
  });
  const renderer = createTemplateRenderer(dir);
  const shipment = { carrier: 'sf', carrierName: '顺丰速运', trackingNumber: 'SF1', trackingUrl: 'https://t.example/SF1' };
  const data = { shipment, links: { afterSales: 'https://shop.example/r/abc' }, type: 'refund_only', kind: 'stale_tracking' };

  it('label after-sales types and delivery problems in the message locale', () => {
    expect(renderer.render('email', 'h', 'en', data).text).toBe('https://t.example/SF1|https://shop.example/r/abc|Refund only|No tracking updates\n');
    expect(renderer.render('email', 'h', 'zh-CN', data).text).toBe('https://t.example/SF1|https://shop.example/r/abc|仅退款|物流长时间未更新\n');
  });

  it('trackingLink falls back to carrier and number; afterSalesLink to ""', () => {
    const bare = { shipment: { ...shipment, trackingUrl: null }, links: { afterSales: null }, type: 'lost', kind: 'address_problem' };
    expect(renderer.render('email', 'h', 'en', bare).text).toBe('顺丰速运 SF1||Lost parcel|Delivery address problem\n');
    const { links: _links, ...withoutLinks } = bare;
    expect(renderer.render('email', 'h', 'zh-CN', withoutLinks).text).toBe('顺丰速运 SF1||丢件|收货地址异常\n');
  });

  it('afterSalesLink reads the root data, also inside blocks', () => {
    const html = renderer.render('email', 'h', 'zh-CN', { ...data, items: ['return', 'wrong_item'] }).html;
    expect(html).toBe('<a href="https://shop.example/r/abc">退货</a><a href="https://shop.example/r/abc">错发</a>');
  });

  it('print an unknown code as it is, never a prototype member, and reject missing values', () => {
    expect(renderer.render('email', 'h', 'en', { ...data, type: 'swap', kind: 'constructor' }).text).toBe('https://t.example/SF1|https://shop.example/r/abc|swap|constructor\n');
    const { type: _type, ...withoutType } = data;
    expect(() => renderer.render('email', 'h', 'en', withoutType)).toThrow(/caseType: expected a code such as "return", got undefined/);
    expect(() => renderer.render('email', 'h', 'en', { ...data, shipment: { trackingUrl: 'x' } })).toThrow(/trackingLink: expected a shipment/);
  });
});

describe('overrides', () => {
  const files = {
    'email/zh-CN/x.subject.hbs': '文件主题 {{n}}',
    'email/zh-CN/x.text.hbs': '文件正文 {{> sig}}',
    'email/zh-CN/x.html.hbs': '<p>{{n}}</p>',
    'partials/sig.text.hbs': '-- file',
    'layouts/email.html.hbs': '<main>{{{body}}}</main>',
  };
  const subjectOverride = new Map([['email/zh-CN/x.subject.hbs', '覆盖主题 {{n}}']]);

  it('an override of a subject wins over the file', () => {
    const renderer = createTemplateRenderer(tempTemplates(files));
    expect(renderer.render('email', 'x', 'zh-CN', { n: 1 }).subject).toBe('文件主题 1');
    renderer.setOverrides(subjectOverride);
    expect(renderer.render('email', 'x', 'zh-CN', { n: 1 }).subject).toBe('覆盖主题 1');
    renderer.setOverrides(new Map());
    expect(renderer.render('email', 'x', 'zh-CN', { n: 1 }).subject).toBe('文件主题 1');
  });

  it('withOverrides() previews an edit without changing the original', () => {
    const renderer = createTemplateRenderer(tempTemplates(files), { defaultLocale: 'zh-CN', timeZone: 'UTC' });
    renderer.setOverrides(subjectOverride);
    const preview = renderer.withOverrides(new Map([['email/zh-CN/x.html.hbs', '<b>{{n}}</b>']]));
    expect(preview).not.toBe(renderer);
    expect(preview.render('email', 'x', 'zh-CN', { n: 2 })).toMatchObject({ subject: '覆盖主题 2', html: '<main><b>2</b></main>' });
    expect(renderer.render('email', 'x', 'zh-CN', { n: 2 })).toMatchObject({ subject: '覆盖主题 2', html: '<main><p>2</p></main>' });
    expect(preview.sourceOf('email/zh-CN/x.html.hbs')).toEqual({ source: '<b>{{n}}</b>', origin: 'override' });
    expect(renderer.sourceOf('email/zh-CN/x.html.hbs')).toEqual({ source: '<p>{{n}}</p>', origin: 'file' });
  });

  it('overrides partials, layouts, and make a template exist for locale resolution', () => {
    const renderer = createTemplateRenderer(tempTemplates(files));
    expect(renderer.render('email', 'x', 'en', { n: 3 }).locale).toBe('zh-CN');
    renderer.setOverrides(
      new Map([
        ['partials/sig.text.hbs', '-- override'],
        ['layouts/email.html.hbs', '<section>{{{body}}}</section>'],
        ['email/en/x.subject.hbs', 'Subject {{n}}'],
        ['email/en/x.text.hbs', 'Text {{> sig}}'],
        ['sms/en/x.text.hbs', 'SMS {{n}}'],
      ]),
    );
    expect(renderer.render('email', 'x', 'en', { n: 3 })).toEqual({ subject: 'Subject 3', text: 'Text -- override\n', locale: 'en' });
    expect(renderer.render('email', 'x', 'zh-CN', { n: 3 })).toMatchObject({ text: '文件正文 -- override\n', html: '<section><p>3</p></section>' });
    expect(renderer.render('sms', 'x', 'en-GB', { n: 3 })).toEqual({ text: 'SMS 3\n', locale: 'en' });
  });

  it('refuses an override at a path that is not a template location', () => {
    const renderer = createTemplateRenderer(tempTemplates(files));
    expect(() => renderer.setOverrides(new Map([['../secrets.txt', 'x']]))).toThrow(TypeError);
    expect(() => renderer.withOverrides(new Map([['email/fr/x.text.hbs', 'x']]))).toThrow(TypeError);
  });
});

describe('checkTemplate', () => {
  const renderer = createTemplateRenderer(
    tempTemplates({ 'email/en/x.subject.hbs': 'x', 'email/en/x.text.hbs': 'x', 'partials/lines.text.hbs': '-', 'partials/box.html.hbs': '<div>{{label}}</div>' }),
  );
  const compileError = (path: string, source: string) => {
    try {
      renderer.checkTemplate(path, source);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateCompileError);
      return error as TemplateCompileError;
    }
    throw new Error(`expected ${path} to be refused`);
  };

  it('accepts what renders', () => {
    expect(() => renderer.checkTemplate('email/en/x.html.hbs', '<p>{{#if a}}{{> box label="x"}}{{/if}}</p>')).not.toThrow();
    expect(() => renderer.checkTemplate('sms/zh-CN/x.text.hbs', '【{{shop.name}}】{{> lines}}')).not.toThrow();
    expect(() => renderer.checkTemplate('layouts/email.html.hbs', '<html>{{{body}}}</html>')).not.toThrow();
    expect(() => renderer.checkTemplate('email/en/x.text.hbs', '{{#*inline "row"}}-{{/inline}}{{> row}}{{#> missing}}fallback{{/missing}}')).not.toThrow();
  });

  it('reports the line and column of an unclosed block', () => {
    const error = compileError('email/en/x.text.hbs', 'Hello\n{{#if x}}\n  body\n');
    expect(error.file).toBe('email/en/x.text.hbs');
    expect(error.line).toBe(4);
    expect(error.column).toBe(1);
    expect(error.message).toMatch(/^email\/en\/x\.text\.hbs:4:1: Parse error on line 4:/);
  });

  it('reports the line and column of unescaped output in html, and of anything but {{{body}}} in a layout', () => {
    expect(compileError('email/zh-CN/x.html.hbs', '<p>\n  <b>{{{x}}}</b></p>')).toMatchObject({ line: 2, column: 6, reason: expect.stringMatching(/^unescaped output/) });
    expect(compileError('partials/box.html.hbs', '{{& x}}')).toMatchObject({ line: 1, column: 1 });
    expect(compileError('layouts/email.html.hbs', '{{{body}}}\n{{{subject}}}')).toMatchObject({ line: 2, column: 1, reason: 'a layout may only output {{{body}}} unescaped' });
    expect(() => renderer.checkTemplate('email/en/x.text.hbs', '{{{x}}}')).not.toThrow(); // text is never html
  });

  it('refuses an unknown partial, a partial of the other kind, and dynamic partial names', () => {
    expect(compileError('email/en/x.text.hbs', 'a\n  {{> nope}}')).toMatchObject({ line: 2, column: 3, reason: 'unknown partial "nope" (no partials/nope.text.hbs)' });
    expect(compileError('email/en/x.text.hbs', '{{> box}}').reason).toBe('unknown partial "box" (no partials/box.text.hbs)');
    expect(compileError('email/en/x.html.hbs', '{{> (lookup . "p")}}').reason).toMatch(/dynamic partial names are not allowed/);
  });

  it('knows partials from overrides and the partial being checked', () => {
    expect(() => renderer.checkTemplate('email/en/x.text.hbs', '{{> added}}')).toThrow(TemplateCompileError);
    expect(() => renderer.withOverrides(new Map([['partials/added.text.hbs', '+']])).checkTemplate('email/en/x.text.hbs', '{{> added}}')).not.toThrow();
    expect(() => renderer.checkTemplate('partials/tree.text.hbs', '{{#each children}}{{> tree}}{{/each}}')).not.toThrow();
  });

  it('refuses a path that is not a template location', () => {
    for (const path of [
      'email/fr/x.text.hbs',
      'sms/en/x.subject.hbs',
      'sms/en/x.html.hbs',
      'push/en/x.text.hbs',
      'email/en/x.body.hbs',
      'email/en/../x.text.hbs',
      'email/zh-cn/x.text.hbs',
      'partials/x.hbs',
      'layouts/sms.html.hbs',
      '/etc/passwd',
    ]) {
      expect(() => renderer.checkTemplate(path, 'x')).toThrow(TypeError);
      expect(() => renderer.sourceOf(path)).toThrow(TypeError);
    }
  });
});

describe('templatePaths and sourceOf', () => {
  it('list files and overrides, relative, sorted and unique', () => {
    const renderer = createTemplateRenderer(
      tempTemplates({ 'sms/en/b.text.hbs': 'b', 'email/en/a.text.hbs': 'a', 'partials/p.text.hbs': 'p', 'notes.txt': 'not a template', 'email/fr/a.text.hbs': 'fr' }),
    );
    renderer.setOverrides(new Map([['email/en/a.text.hbs', 'A'], ['layouts/email.html.hbs', '{{{body}}}']]));
    expect(renderer.templatePaths()).toEqual(['email/en/a.text.hbs', 'layouts/email.html.hbs', 'partials/p.text.hbs', 'sms/en/b.text.hbs']);
    expect(renderer.sourceOf('email/en/a.text.hbs')).toEqual({ source: 'A', origin: 'override' });
    expect(renderer.sourceOf('sms/en/b.text.hbs')).toEqual({ source: 'b', origin: 'file' });
    expect(renderer.sourceOf('sms/en/c.text.hbs')).toBeNull();
  });
});

describe('prototype access', () => {
  const templates = ['{{constructor.name}}', '{{__proto__}}', '{{order.constructor}}', '{{lookup this "constructor"}}', '{{#with order}}{{constructor.name}}{{/with}}', '{{order.__proto__.constructor.name}}'];

  it.each(templates)('%s renders nothing or throws, never the class name', (template) => {
    const renderer = createTemplateRenderer(tempTemplates({}));
    renderer.setOverrides(new Map([['sms/en/proto.text.hbs', template], ['email/en/proto.subject.hbs', template], ['email/en/proto.text.hbs', 'x'], ['email/en/proto.html.hbs', template]]));
    for (const channel of ['sms', 'email'] as const) {
      let output = '';
      try {
        const message = renderer.render(channel, 'proto', 'en', { order: { number: '1' } });
        output = `${message.text}${message.subject ?? ''}${message.html ?? ''}`;
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateRenderError);
      }
      expect(output).not.toMatch(/Object|Function|\[native code\]/);
    }
  });
});
