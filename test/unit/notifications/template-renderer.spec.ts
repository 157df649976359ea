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
    expect(() => renderer.render('sms', 'order-confirmation', 'zh-CN', {})).toThrow(TemplateNotFoundError);
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
