import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A throwaway SMTP server for tests: plain text on 127.0.0.1, random port, any (or no) login,
 * no STARTTLS. Every accepted message is kept raw with its envelope; `parseMessage` extracts the
 * decoded subject and text/html parts (enough for assertions, not a general MIME parser).
 */

export interface CapturedMessage {
  /** MAIL FROM of the envelope ("" for the null sender). */
  from: string;
  /** RCPT TO addresses of the envelope. */
  to: string[];
  /** The message as received (RFC 5322, CRLF line ends, dot-unstuffed), decoded from UTF-8. */
  raw: string;
}

export interface SmtpCapture {
  /** smtp://127.0.0.1:<port>, for Mailer / nodemailer. */
  url: string;
  port: number;
  /** Received messages, in order of arrival; live array. */
  messages: CapturedMessage[];
  /** Resolves with the messages once at least `count` arrived; rejects after `timeoutMs` (default 5000). */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** Same as waitFor. */
  waitForMessages(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  stop(): Promise<void>;
}

/** `port`: listen there (a test bringing a server back where the app expects it); default a random one. */
export async function startSmtpCapture(options: { port?: number } = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const notify of [...waiters]) notify();
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  // smtp-server emits a connection's errors on the server: an app killed with -9 mid-conversation (crash tests) resets its
  // socket, which without a listener would throw in the test process ("read ECONNRESET") instead of being a lost client
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') console.warn(`SMTP capture: ${error.message}`);
  });

  const waitFor = (count: number, timeoutMs = 5000): Promise<CapturedMessage[]> =>
    new Promise((resolve, reject) => {
      if (messages.length >= count) return resolve(messages.slice());
      const check = () => {
        if (messages.length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(messages.slice());
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`smtp-capture: expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
      }, timeoutMs);
      waiters.add(check);
    });

  let stopped: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor,
    waitForMessages: waitFor,
    stop: () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

// --- minimal MIME decoding -------------------------------------------------------------------

export interface ParsedMessage {
  /** Header fields by lower-case name, unfolded, not decoded; repeated fields in order. */
  headers: Record<string, string[]>;
  /** Decoded Subject (RFC 2047 encoded-words), "" when absent. */
  subject: string;
  /** Decoded first text/plain part that is not an attachment. */
  text?: string;
  /** Decoded first text/html part that is not an attachment. */
  html?: string;
}

/** Splits a message into headers and decoded text/plain and text/html parts (multipart recursed). */
export function parseMessage(raw: string): ParsedMessage {
  const entity = parseEntity(raw.replace(/\r\n/g, '\n'));
  const result: ParsedMessage = { headers: entity.headers, subject: decodeEncodedWords(entity.headers.subject?.[0] ?? '') };
  collectParts(entity, result);
  return result;
}

interface Entity {
  headers: Record<string, string[]>;
  body: string;
}

function parseEntity(source: string): Entity {
  const separator = source.indexOf('\n\n');
  const head = separator === -1 ? source : source.slice(0, separator);
  const body = separator === -1 ? '' : source.slice(separator + 2);
  const headers: Record<string, string[]> = {};
  // unfold: a line starting with whitespace continues the previous field
  for (const field of head.replace(/\n(?=[ \t])/g, '').split('\n')) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(field.slice(colon + 1).trim());
  }
  return { headers, body };
}

// Line breaks come out as "\n". The line break before a multipart boundary belongs to the boundary
// and is not part of the content.
function collectParts(entity: Entity, result: ParsedMessage): void {
  const contentType = parseHeaderValue(entity.headers['content-type']?.[0] ?? 'text/plain; charset=us-ascii');
  const disposition = parseHeaderValue(entity.headers['content-disposition']?.[0] ?? 'inline');
  if (contentType.value.startsWith('multipart/')) {
    const boundary = contentType.params.boundary;
    if (!boundary) return;
    for (const part of splitMultipart(entity.body, boundary)) collectParts(parseEntity(part), result);
    return;
  }
  if (disposition.value === 'attachment') return;
  const key = contentType.value === 'text/plain' ? 'text' : contentType.value === 'text/html' ? 'html' : undefined;
  if (!key || result[key] !== undefined) return;
  const bytes = decodeTransferEncoding(entity.body, entity.headers['content-transfer-encoding']?.[0] ?? '7bit');
  result[key] = decodeCharset(bytes, contentType.params.charset ?? 'utf-8');
}

/** "type/subtype; a=1; b=\"x y\"" → { value: 'type/subtype', params: { a: '1', b: 'x y' } } (names lower-cased). */
export function parseHeaderValue(header: string): { value: string; params: Record<string, string> } {
  const [value = '', ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const match of rest.join(';').matchAll(/\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g)) {
    params[match[1].toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return { value: value.trim().toLowerCase(), params };
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) {
      if (current) parts.push(current.join('\n'));
      return parts;
    }
    if (trimmed === delimiter) {
      if (current) parts.push(current.join('\n'));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (current) parts.push(current.join('\n')); // unterminated: keep what we have
  return parts;
}

function decodeTransferEncoding(body: string, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default: // 7bit, 8bit, binary: the text as is
      return Buffer.from(body, 'utf8');
  }
}

/** RFC 2045 quoted-printable → bytes: "=\n" soft breaks removed, "=XX" decoded, other text kept. */
export function decodeQuotedPrintable(body: string): Buffer {
  const text = body.replace(/\r\n/g, '\n').replace(/[ \t]+$/gm, '').replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded-words ("=?UTF-8?B?5oKo?=", "=?UTF-8?Q?caf=C3=A9?="). Whitespace between
 * adjacent encoded-words is dropped, and adjacent words of one charset are decoded together, so a
 * multi-byte character split across two words comes out whole.
 */
export function decodeEncodedWords(value: string): string {
  const unfolded = value.replace(/\r?\n(?=[ \t])/g, '');
  let out = '';
  let pending: { charset: string; bytes: number[] } | undefined;
  let last = 0;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.from(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const match of unfolded.matchAll(ENCODED_WORD)) {
    const between = unfolded.slice(last, match.index);
    if (!(pending && /^[ \t]*$/.test(between))) {
      flush();
      out += between;
    }
    const charset = match[1].split('*')[0].toLowerCase(); // RFC 2231 language suffix: "UTF-8*zh"
    const bytes = match[2].toUpperCase() === 'B' ? [...Buffer.from(match[3], 'base64')] : decodeQ(match[3]);
    if (pending && pending.charset === charset) {
      pending.bytes.push(...bytes);
    } else {
      flush();
      pending = { charset, bytes };
    }
    last = match.index + match[0].length;
  }
  flush();
  return out + unfolded.slice(last);
}

function decodeQ(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text[i] === '_' ? 0x20 : text.charCodeAt(i) & 0xff);
    }
  }
  return bytes;
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown label
  }
}
