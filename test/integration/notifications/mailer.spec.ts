import { join } from 'node:path';
import { InvalidHeaderError, InvalidRecipientError, isEmailAddress, Mailer } from '../../../src/notifications/mailer';
import { createTemplateRenderer } from '../../../src/notifications/template-renderer';
import {
  decodeEncodedWords,
  decodeQuotedPrintable,
  parseHeaderValue,
  parseMessage,
  type SmtpCapture,
  startSmtpCapture,
} from '../../helpers/smtp-capture';

const TEMPLATES_DIR = join(__dirname, '../../../templates');

function confirmationData() {
  return {
    shop: { name: '示例商城' },
    order: {
      number: 'SO-20250301-0042',
      placedAt: '2025-03-01T02:05:00Z',
      customer: { name: '李四 <b>', phone: '13900139000', email: 'lisi@example.com' },
      shippingAddress: { province: '广东省', city: '深圳市', district: '南山区', line1: '科技园南区 8 栋 1203', postalCode: '518057' },
      lines: [
        { sku: 'TS-001', name: '纯棉T恤 & 短裤套装', quantity: 3, unitPrice: '19.99' },
        { sku: 'BAG-07', name: '帆布包', quantity: 2, unitPrice: '45.50' },
      ],
      totals: { items: '150.97', shipping: '0.00', grand: '150.97' },
      currency: 'CNY' as const,
    },
  };
}

function recordingLogger() {
  const entries: Array<{ obj: object; msg?: string }> = [];
  return { entries, info: (obj: object, msg?: string) => void entries.push({ obj, msg }) };
}

describe('Mailer over SMTP', () => {
  let capture: SmtpCapture;
  let mailer: Mailer;

  beforeAll(async () => {
    capture = await startSmtpCapture();
    mailer = new Mailer(capture.url, '示例商城 <noreply@shop.example.com>', recordingLogger());
  });

  afterAll(async () => {
    mailer?.close();
    await capture?.stop();
  });

  it('delivers a rendered zh-CN order confirmation', async () => {
    const rendered = createTemplateRenderer(TEMPLATES_DIR).render('email', 'order-confirmation', 'zh-CN', confirmationData());
    const result = await mailer.send({
      to: 'lisi@example.com',
      subject: rendered.subject!,
      html: rendered.html,
      text: rendered.text,
      headers: { 'X-Notification-Id': 'n-1' },
    });

    expect(result.transport).toBe('smtp');
    expect(result.messageId).toMatch(/^<.+@.+>$/);

    const [received] = await capture.waitFor(1);
    expect(received.to).toEqual(['lisi@example.com']);
    expect(received.from).toBe('noreply@shop.example.com');

    const message = parseMessage(received.raw);
    expect(message.subject).toBe('【示例商城】您的订单 SO-20250301-0042 已确认');
    expect(message.headers['message-id']).toEqual([result.messageId]);
    expect(message.headers['x-notification-id']).toEqual(['n-1']);
    expect(message.headers.to).toEqual(['lisi@example.com']);
    expect(decodeEncodedWords(message.headers.from[0])).toBe('示例商城 <noreply@shop.example.com>');
    expect(parseHeaderValue(message.headers['content-type'][0]).value).toBe('multipart/alternative');
    // nothing but ASCII on the wire: bodies and headers are encoded
    // eslint-disable-next-line no-control-regex -- matching control characters is the point (header injection)
    expect(received.raw).toMatch(/^[\x00-\x7f]*$/);

    expect(message.text).toContain('您的订单 SO-20250301-0042 已确认');
    expect(message.text).toContain('李四 <b>，您好：');
    expect(message.text).toContain('- 纯棉T恤 & 短裤套装 [TS-001]  ¥19.99 × 3 = ¥59.97');
    expect(message.text).toContain('- 帆布包 [BAG-07]  ¥45.50 × 2 = ¥91.00');
    expect(message.text).toContain('应付总额：¥150.97');
    expect(message.text).toContain('广东省深圳市南山区科技园南区 8 栋 1203');

    expect(message.html).toContain('<strong>SO-20250301-0042</strong>');
    expect(message.html).toContain('李四 &lt;b&gt;，您好：');
    expect(message.html).toContain('纯棉T恤 &amp; 短裤套装');
    expect(message.html).toContain('<html lang="zh-CN">');
    expect(message.html).toContain('此邮件由 示例商城 系统自动发送');
  });

  it('sends a text-only message', async () => {
    const before = capture.messages.length;
    await mailer.send({ to: 'ops@example.com', subject: 'Plain', text: 'Hello\nA & B 你好' });
    const messages = await capture.waitFor(before + 1);
    const message = parseMessage(messages[before].raw);
    expect(message.subject).toBe('Plain');
    expect(message.text).toMatch(/^Hello\r?\nA & B 你好/);
    expect(message.html).toBeUndefined();
  });

  it('rejects bad recipients and headers before talking to the server', async () => {
    const before = capture.messages.length;
    const message = { subject: 's', text: 't' };
    for (const to of [
      'victim@example.com\r\nBcc: other@example.com',
      'victim@example.com\n',
      'a@example.com, b@example.com',
      'Name <a@example.com>',
      'no-at-sign',
      '@example.com',
      'a@localhost',
      'a@@example.com',
      'a b@example.com',
      '',
    ]) {
      await expect(mailer.send({ ...message, to })).rejects.toBeInstanceOf(InvalidRecipientError);
    }
    await expect(mailer.send({ ...message, to: 'a@example.com', headers: { 'X-Id': '1\r\nBcc: b@example.com' } })).rejects.toBeInstanceOf(InvalidHeaderError);
    await expect(mailer.send({ ...message, to: 'a@example.com', headers: { Bcc: 'b@example.com' } })).rejects.toBeInstanceOf(InvalidHeaderError);
    await expect(mailer.send({ ...message, to: 'a@example.com', headers: { 'Bad Name': 'x' } })).rejects.toBeInstanceOf(InvalidHeaderError);
    expect(capture.messages.length).toBe(before);
  });

  it('flattens a subject with line breaks', async () => {
    const before = capture.messages.length;
    await mailer.send({ to: 'a@example.com', subject: 'Hi\r\nBcc: b@example.com', text: 't' });
    const [received] = (await capture.waitFor(before + 1)).slice(before);
    expect(received.to).toEqual(['a@example.com']);
    expect(parseMessage(received.raw).subject).toBe('Hi Bcc: b@example.com');
    expect(parseMessage(received.raw).headers.bcc).toBeUndefined();
  });

  it('refuses to send once closed', async () => {
    const closing = new Mailer(capture.url, 'noreply@shop.example.com', recordingLogger());
    closing.close();
    closing.close();
    await expect(closing.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toThrow('Mailer is closed');
  });
});

describe('Mailer without SMTP_URL', () => {
  it('logs one line per message — recipient, subject, idempotency key, never the body — and returns a generated id', async () => {
    const logger = recordingLogger();
    const mailer = new Mailer(undefined, 'noreply@shop.example.com', logger);
    const result = await mailer.send({ to: 'a@example.com', subject: '主题\r\n换行', text: '正文', html: '<p>正文</p>', idempotencyKey: 'order-confirmation:o-1:email:a@example.com' });
    expect(result.transport).toBe('log');
    expect(result.messageId).toMatch(/^<log-[0-9a-f-]{36}@localhost>$/);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0]).toEqual({
      obj: { mail: { to: 'a@example.com', subject: '主题 换行', idempotencyKey: 'order-confirmation:o-1:email:a@example.com', messageId: result.messageId } },
      msg: 'email not sent (no SMTP_URL)',
    });
    expect(JSON.stringify(logger.entries)).not.toContain('正文');
    await mailer.send({ to: 'b@example.com', subject: 'alert', text: 'body' });
    expect(logger.entries[1].obj).toEqual({ mail: expect.objectContaining({ to: 'b@example.com', idempotencyKey: null }) });
    await expect(mailer.send({ to: 'a@example.com\r\n', subject: 's', text: 't' })).rejects.toBeInstanceOf(InvalidRecipientError);
    mailer.close();
  });

  it('rejects a bad SMTP URL without echoing it', () => {
    const logger = recordingLogger();
    expect(() => new Mailer('not a url :secret@', 'a@example.com', logger)).toThrow(/^Mailer: SMTP_URL is not a valid URL$/);
    expect(() => new Mailer('http://user:secret@example.com', 'a@example.com', logger)).toThrow(/must be smtp:\/\/ or smtps:\/\//);
    expect(() => new Mailer(undefined, 'a@example.com\r\nBcc: x@example.com', logger)).toThrow(/invalid from/);
  });
});

describe('isEmailAddress', () => {
  it.each(['a@example.com', 'first.last+tag@mail.example.co.uk', "o'brien@example.ie", '用户@例子.中国', 'x_y-z@sub-domain.example.com'])('accepts %s', (address) => {
    expect(isEmailAddress(address)).toBe(true);
  });
  it.each(['.a@example.com', 'a.@example.com', 'a..b@example.com', 'a@-example.com', 'a@example..com', 'a@example.com.', `${'x'.repeat(65)}@example.com`, '"a b"@example.com'])(
    'rejects %s',
    (address) => {
      expect(isEmailAddress(address)).toBe(false);
    },
  );
});

describe('smtp-capture decoding', () => {
  it('decodes RFC 2047 B and Q encoded-words', () => {
    expect(decodeEncodedWords('=?UTF-8?B?5oKo55qE6K6i5Y2V?=')).toBe('您的订单');
    expect(decodeEncodedWords('=?utf-8?Q?caf=C3=A9_au_lait?=')).toBe('café au lait');
    expect(decodeEncodedWords('Re: =?UTF-8?B?5L2g5aW9?= world')).toBe('Re: 你好 world');
    expect(decodeEncodedWords('plain subject, =?not encoded')).toBe('plain subject, =?not encoded');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= =?UTF-8*zh?B?5L2g?=')).toBe('André你');
  });

  it('joins adjacent encoded-words, even across a folded line and a split character', () => {
    // "您好" is E6 82 A8 E5 A5 BD; the second character is split between the two words
    expect(decodeEncodedWords('=?UTF-8?Q?=E6=82=A8=E5?=\r\n =?UTF-8?Q?=A5=BD?=')).toBe('您好');
    expect(decodeEncodedWords('=?UTF-8?B?5oKo?=  =?UTF-8?B?5aW9?= !')).toBe('您好 !');
  });

  it('decodes quoted-printable with soft line breaks and multi-byte characters', () => {
    expect(decodeQuotedPrintable('A =3D B=\r\n C =E6=82=\r\n=A8\r\nend').toString('utf8')).toBe('A = B C 您\nend');
    expect(decodeQuotedPrintable('trailing spaces   \r\nnext').toString('utf8')).toBe('trailing spaces\nnext');
    expect(decodeQuotedPrintable('not hex =ZZ').toString('utf8')).toBe('not hex =ZZ');
  });

  it('parses header parameters', () => {
    expect(parseHeaderValue('Multipart/Alternative; boundary="--_b 1"; charset=utf-8')).toEqual({
      value: 'multipart/alternative',
      params: { boundary: '--_b 1', charset: 'utf-8' },
    });
  });

  it('finds the text and html parts of nested multiparts and skips attachments', () => {
    const raw = [
      'From: a@example.com',
      'Subject: =?UTF-8?B?5rWL6K+V?=',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      'preamble',
      '--outer',
      'Content-Type: multipart/alternative;',
      ' boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '=E4=BD=A0=E5=A5=BD & hi',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>你好 &amp; hi</p>').toString('base64'),
      '--inner--',
      '--outer',
      'Content-Type: text/plain; name=notes.txt',
      'Content-Disposition: attachment; filename=notes.txt',
      '',
      'attached text',
      '--outer--',
      '',
    ].join('\r\n');
    const message = parseMessage(raw);
    expect(message.subject).toBe('测试');
    expect(message.headers.from).toEqual(['a@example.com']);
    expect(message.text).toBe('你好 & hi');
    expect(message.html).toBe('<p>你好 &amp; hi</p>');
  });

  it('reads a single-part 8bit message', () => {
    const message = parseMessage('Subject: hi\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n直接发送\r\n');
    expect(message.subject).toBe('hi');
    expect(message.text).toBe('直接发送\n');
  });
});
