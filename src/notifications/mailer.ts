import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

/**
 * Sends one email. With an SMTP URL (smtp://user:pass@host:587, smtps://…:465) it goes through a
 * non-pooled nodemailer SMTP transport (one connection per message, so a broken server connection
 * never poisons later sends). Without one (development, tests) one line is logged per message —
 * recipient, subject and idempotency key, never the body (kilobytes of HTML per order buried the
 * first start's output) — and a generated id is returned.
 *
 * Safety: the recipient must be a single bare address without CR/LF; the subject is flattened to
 * one line; custom headers may not carry CR/LF nor replace address/structure headers; nodemailer
 * is told never to read files or fetch URLs for content.
 */

export interface MailMessage {
  to: string;
  subject: string;
  html?: string;
  text: string;
  headers?: Record<string, string>;
  /** A stable Message-ID (`<id@host>`): a resend after a crash carries the same one, so receivers can drop the copy. */
  messageId?: string;
  /** The outbox's key of the message (event, subject, channel, recipient): named in the log line when nothing is sent. */
  idempotencyKey?: string;
}

export interface SendResult {
  messageId: string;
  transport: 'smtp' | 'log';
}

export interface MailLogger {
  info(obj: object, msg?: string): void;
}

export class InvalidRecipientError extends Error {
  override readonly name = 'InvalidRecipientError';
  constructor(readonly recipient: string) {
    super(`Invalid email recipient: ${JSON.stringify(recipient.length > 100 ? `${recipient.slice(0, 100)}…` : recipient)}`);
  }
}

export class InvalidHeaderError extends Error {
  override readonly name = 'InvalidHeaderError';
  constructor(
    readonly header: string,
    reason: string,
  ) {
    super(`Invalid email header ${JSON.stringify(header)}: ${reason}`);
  }
}

/** Timeouts of the SMTP transport; a query parameter of the URL (e.g. ?connectionTimeout=5000) overrides them. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** Headers that the mailer sets itself; a caller must not replace or duplicate them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'subject',
  'date',
  'message-id',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,76}$/;
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;

/**
 * A pragmatic single-address check (not full RFC 5322): dot-atom local part (Unicode allowed for
 * SMTPUTF8), a domain with at least one dot made of letter/digit/hyphen labels (Unicode allowed
 * for IDN). Rejects display names, lists, quoted local parts, comments and any whitespace.
 */
export function isEmailAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 254 || LINE_BREAK.test(value)) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64) return false;
  if (!/^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => label.length >= 1 && label.length <= 63 && /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u.test(label));
}

export class Mailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport> | undefined;
  private closed = false;

  constructor(
    smtpUrl: string | undefined,
    private readonly from: string,
    private readonly logger: MailLogger,
  ) {
    if (typeof from !== 'string' || !from.trim() || LINE_BREAK.test(from)) throw new TypeError('Mailer: invalid from address');
    if (smtpUrl) {
      let url: URL;
      try {
        url = new URL(smtpUrl);
      } catch {
        // do not echo the URL: it usually carries the SMTP password
        throw new TypeError('Mailer: SMTP_URL is not a valid URL');
      }
      if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new TypeError(`Mailer: SMTP_URL must be smtp:// or smtps://, got ${url.protocol}//`);
      url.searchParams.delete('pool'); // one connection per message, whatever the URL says
      this.transport = nodemailer.createTransport({ url: url.toString(), pool: false, ...SMTP_TIMEOUTS });
    }
  }

  async send(msg: MailMessage): Promise<SendResult> {
    if (this.closed) throw new Error('Mailer is closed');
    if (!isEmailAddress(msg.to)) throw new InvalidRecipientError(String(msg.to));
    const headers = checkHeaders(msg.headers);
    const content = {
      from: this.from,
      to: msg.to,
      // eslint-disable-next-line no-control-regex -- matching control characters is the point (header injection)
      subject: String(msg.subject).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim(),
      text: msg.text,
      ...(msg.html !== undefined ? { html: msg.html } : {}),
      ...(headers ? { headers } : {}),
      ...(msg.messageId && /^<[^<>\s@]+@[^<>\s@]+>$/.test(msg.messageId) ? { messageId: msg.messageId } : {}),
    };

    if (!this.transport) {
      const messageId = `<log-${randomUUID()}@localhost>`;
      // one line, no body: the outbox keeps the message and the admin shows it (Customer messages)
      this.logger.info({ mail: { to: content.to, subject: content.subject, idempotencyKey: msg.idempotencyKey ?? null, messageId } }, 'email not sent (no SMTP_URL)');
      return { messageId, transport: 'log' };
    }

    // content is always given inline: never let a string be taken for a file path or URL
    const mail = { ...content, disableFileAccess: true, disableUrlAccess: true };
    const info = await this.transport.sendMail(mail);
    if (info.rejected?.length) throw new Error(`SMTP server rejected recipient(s): ${info.rejected.map(String).join(', ')} (${info.response})`);
    return { messageId: info.messageId, transport: 'smtp' };
  }

  /** Closes the transport; later sends fail. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport?.close();
  }
}

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const entries = Object.entries(headers);
  if (!entries.length) return undefined;
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) throw new InvalidHeaderError(name, 'not a valid header name');
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new InvalidHeaderError(name, 'set by the mailer itself');
    if (typeof value !== 'string') throw new InvalidHeaderError(name, 'value must be a string');
    if (LINE_BREAK.test(value)) throw new InvalidHeaderError(name, 'value contains a line break');
  }
  return Object.fromEntries(entries);
}
