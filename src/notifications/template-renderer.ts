import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { fromCents, isMoney, toCents } from '../common/money';

/**
 * Renders notification templates (Handlebars) into ready-to-send message parts.
 *
 * Layout of the templates directory:
 *
 *   <dir>/<channel>/<locale>/<event>.subject.hbs   email: required
 *   <dir>/<channel>/<locale>/<event>.text.hbs      required (email and sms)
 *   <dir>/<channel>/<locale>/<event>.html.hbs      email: optional
 *   <dir>/layouts/<channel>.html.hbs               optional, wraps the html part via {{{body}}}
 *   <dir>/partials/<name>.html.hbs                 partial `name` for html templates and layouts
 *   <dir>/partials/<name>.text.hbs                 partial `name` for text and subject templates
 *
 * Decisions:
 *
 * - Strict mode. Every template is compiled with `strict: true`, so a field the template prints
 *   that is missing from the data throws instead of silently rendering "". (`assumeObjects` is
 *   not used: it is a subset of strict mode that only drops the existence checks.) Caveat of
 *   Handlebars' strict mode: helper arguments (`{{#if a.b}}`, `{{money a.b}}`) do not throw on a
 *   missing *last* segment, which is how templates mark optional fields (`{{#if x.district}}`);
 *   our helpers reject undefined themselves, so `{{money order.totals.shipping}}` still fails.
 * - Two isolated environments (`Handlebars.create()`), never the global one, so nothing else in
 *   the process can register helpers or partials into ours:
 *   - html: default escaping. `noEscape` is never used for HTML, prototype access stays at the
 *     Handlebars defaults (denied). Unescaped output (`{{{x}}}`, `{{&x}}`) is rejected at compile
 *     time in html templates and partials; a layout may only use `{{{body}}}`, which is the
 *     already escaped html part rendered by us.
 *   - text: compiled with `noEscape: true`, used for the text/plain part, the subject and SMS.
 *     Escaping there would print `A &amp; B` to the customer. It is safe because those outputs
 *     are never interpreted as HTML: text/plain is displayed verbatim by mail clients, SMS is
 *     plain text, and the subject is a header that nodemailer encodes (RFC 2047); the subject is
 *     additionally stripped of CR/LF and other control characters (header injection). Text
 *     templates only see text partials, never html ones.
 * - Data should be plain JSON (it comes from a jsonb column). Class instances are not made
 *   usable by relaxing prototype access.
 * - Compiled templates are cached, and so is the absence of a file; `reload()` drops the caches
 *   (and the partials), e.g. after templates are edited on disk.
 */

export type NotificationChannel = 'email' | 'sms';

export interface RenderedMessage {
  subject?: string;
  html?: string;
  text: string;
  /** The locale actually rendered, after fallback. */
  locale: string;
}

export interface TemplateRendererOptions {
  /** Fallback when the requested locale has no template for the event. Default 'zh-CN'. */
  defaultLocale?: string;
  /** IANA time zone of the `date` helper. Default 'Asia/Shanghai'. */
  timeZone?: string;
  /** ISO 4217 currency of the `money` helper when the data names none. Default 'CNY'. */
  defaultCurrency?: string;
}

export class TemplateNotFoundError extends Error {
  override readonly name = 'TemplateNotFoundError';
  constructor(
    readonly channel: string,
    readonly event: string,
    readonly locale: string,
    /** The files looked for, relative to the templates directory. */
    readonly tried: string[],
  ) {
    super(`No ${channel} template "${event}" for locale "${locale}" (looked for: ${tried.join(', ') || 'nothing, invalid name'})`);
  }
}

/** A template that does not parse or compile; `file`, `line` and `column` (1-based) locate it. */
export class TemplateCompileError extends Error {
  override readonly name = 'TemplateCompileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${reason}`, options);
  }
}

/** Rendering failed, typically data missing under strict mode or a helper rejecting a value. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

type Compiled = HandlebarsTemplateDelegate<unknown>;
type Kind = 'html' | 'text';
type Part = 'subject' | 'text' | 'html';

interface RuntimeData {
  locale: string;
}

const EVENT_PATTERN = /^[a-z0-9][a-z0-9_-]*$/i;
const PARTIAL_FILE_PATTERN = /^([a-z0-9][a-z0-9_-]*)\.(html|text)\.hbs$/i;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

@Injectable()
export class TemplateRenderer {
  private readonly defaultLocale: string;
  private readonly timeZone: string;
  private readonly defaultCurrency: string;
  private envs: Record<Kind, typeof Handlebars> | undefined;
  /** Absolute file path → compiled template, or null when the file does not exist. */
  private readonly cache = new Map<string, Compiled | null>();
  private readonly numberFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateFormats = new Map<string, Intl.DateTimeFormat>();

  /** `options` may be just the default locale, e.g. `new TemplateRenderer(dir, config.DEFAULT_LOCALE)`. */
  constructor(
    private readonly templatesDir: string,
    options: TemplateRendererOptions | string = {},
  ) {
    if (typeof options === 'string') options = { defaultLocale: options };
    const defaultLocale = canonicalLocale(options.defaultLocale ?? 'zh-CN');
    if (!defaultLocale) throw new RangeError(`invalid default locale: ${options.defaultLocale}`);
    this.defaultLocale = defaultLocale;
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    new Intl.DateTimeFormat('en', { timeZone: this.timeZone }); // throws RangeError on an unknown zone
    this.defaultCurrency = options.defaultCurrency ?? 'CNY';
    if (!CURRENCY_PATTERN.test(this.defaultCurrency)) throw new RangeError(`invalid default currency: ${this.defaultCurrency}`);
  }

  render(channel: NotificationChannel, event: string, locale: string, data: object): RenderedMessage {
    if (channel !== 'email' && channel !== 'sms') throw new TypeError(`unknown channel: ${String(channel)}`);
    const { resolvedLocale, dir } = this.resolve(channel, event, locale);
    const runtime: RuntimeData = { locale: resolvedLocale };
    const file = (part: Part) => join(dir, `${event}.${part}.hbs`);

    const text = normaliseText(this.renderFile('text', file('text'), data, runtime)!);
    if (channel === 'sms') return { text, locale: resolvedLocale };

    const subjectSource = this.renderFile('text', file('subject'), data, runtime);
    if (subjectSource === undefined) {
      throw new TemplateNotFoundError(channel, event, locale, [this.relative(file('subject'))]);
    }
    const subject = sanitiseSubject(subjectSource);

    const body = this.renderFile('html', file('html'), data, runtime);
    if (body === undefined) return { subject, text, locale: resolvedLocale };
    const layoutContext = { ...data, body, subject, locale: resolvedLocale };
    const html = this.renderFile('html', join(this.templatesDir, 'layouts', `${channel}.html.hbs`), layoutContext, runtime, true) ?? body;
    return { subject, html, text, locale: resolvedLocale };
  }

  /** Forgets compiled templates, partials and missing-file results; the next render reads the files again. */
  reload(): void {
    this.cache.clear();
    this.envs = undefined;
  }

  // --- resolution --------------------------------------------------------------------------

  /** requested locale → its language ("en-US" → "en") → the default locale; first with a text template wins. */
  private resolve(channel: NotificationChannel, event: string, locale: string): { resolvedLocale: string; dir: string } {
    const tried: string[] = [];
    if (typeof event !== 'string' || !EVENT_PATTERN.test(event)) throw new TemplateNotFoundError(channel, String(event), locale, tried);
    const requested = canonicalLocale(locale);
    const candidates = [requested, requested?.split('-')[0], this.defaultLocale].filter((candidate): candidate is string => !!candidate);
    for (const candidate of new Set(candidates)) {
      const dir = join(this.templatesDir, channel, candidate);
      const textFile = join(dir, `${event}.text.hbs`);
      tried.push(this.relative(textFile));
      if (this.load('text', textFile)) return { resolvedLocale: candidate, dir };
    }
    throw new TemplateNotFoundError(channel, event, locale, tried);
  }

  private relative(file: string): string {
    return file.startsWith(this.templatesDir) ? file.slice(this.templatesDir.length).replace(/^[\\/]+/, '') : file;
  }

  // --- compiling ---------------------------------------------------------------------------

  private environments(): Record<Kind, typeof Handlebars> {
    if (!this.envs) {
      const envs = { html: Handlebars.create(), text: Handlebars.create() };
      for (const env of Object.values(envs)) this.registerHelpers(env);
      this.envs = envs;
      this.registerPartials(envs);
    }
    return this.envs;
  }

  private registerPartials(envs: Record<Kind, typeof Handlebars>): void {
    const dir = join(this.templatesDir, 'partials');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const fileName of names.sort()) {
      const match = PARTIAL_FILE_PATTERN.exec(fileName);
      if (!match) continue;
      const kind = match[2].toLowerCase() as Kind;
      const file = join(dir, fileName);
      envs[kind].registerPartial(match[1], this.compile(envs[kind], kind, file, readFileSync(file, 'utf8'), false));
    }
  }

  /** The compiled template of a file, or null when the file does not exist. */
  private load(kind: Kind, file: string, isLayout = false): Compiled | null {
    const key = `${kind}:${file}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const env = this.environments()[kind];
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cache.set(key, null);
      return null;
    }
    const compiled = this.compile(env, kind, file, source, isLayout);
    this.cache.set(key, compiled);
    return compiled;
  }

  private compile(env: typeof Handlebars, kind: Kind, file: string, source: string, isLayout: boolean): Compiled {
    const name = this.relative(file);
    const options: CompileOptions = kind === 'html' ? { strict: true } : { strict: true, noEscape: true };
    let ast: hbs.AST.Program;
    try {
      ast = env.parse(source);
    } catch (error) {
      throw toCompileError(env, name, error);
    }
    if (kind === 'html') assertEscapedOutput(ast, name, isLayout);
    try {
      // compile() is lazy; precompile now so that compiler errors surface at load time, not at the first send
      env.precompile(source, { ...options });
    } catch (error) {
      throw toCompileError(env, name, error);
    }
    return env.compile(source, options);
  }

  private renderFile(kind: Kind, file: string, context: object, runtime: RuntimeData, isLayout = false): string | undefined {
    const template = this.load(kind, file, isLayout);
    if (!template) return undefined;
    try {
      return template(context, { data: { ...runtime } });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TemplateRenderError(this.relative(file), reason, { cause: error });
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private registerHelpers(env: typeof Handlebars): void {
    /** {{money amount}} / {{money amount currency="USD"}}: "129.00" → "¥129.00" (zh-CN, CNY). */
    env.registerHelper('money', (...args: unknown[]) => {
      const [options, amount] = helperArgs('money', args, 1);
      return this.formatMoney(amount, this.currencyOf(options), localeOf(options));
    });

    /** {{lineTotal unitPrice quantity}}: "19.99" × 3 → "59.97", exact (integer cents). */
    env.registerHelper('lineTotal', (...args: unknown[]) => {
      const [, unitPrice, quantity] = helperArgs('lineTotal', args, 2);
      return lineTotal(unitPrice, quantity);
    });

    /** {{date iso}} / {{date iso format="date"}} / {{date iso timeZone="UTC"}}: ISO 8601 → "2025年3月1日 10:05". */
    env.registerHelper('date', (...args: unknown[]) => {
      const [options, value] = helperArgs('date', args, 1);
      const hash = options.hash as Record<string, unknown>;
      const timeZone = typeof hash.timeZone === 'string' ? hash.timeZone : this.timeZone;
      const format = hash.format === undefined ? 'datetime' : hash.format;
      if (format !== 'datetime' && format !== 'date') throw new Error(`date: format must be "date" or "datetime", got ${JSON.stringify(format)}`);
      return this.formatDate(value, localeOf(options), timeZone, format);
    });

    /** {{#if (eq locale "zh-CN")}}: strict equality, for the few locale switches of shared layouts. */
    env.registerHelper('eq', (...args: unknown[]) => {
      const [, left, right] = helperArgs('eq', args, 2);
      return left === right;
    });
  }

  private currencyOf(options: Handlebars.HelperOptions): string {
    const root = (options.data as { root?: unknown } | undefined)?.root as { currency?: unknown; order?: { currency?: unknown } } | undefined;
    const currency = (options.hash as Record<string, unknown>).currency ?? root?.currency ?? root?.order?.currency ?? this.defaultCurrency;
    if (typeof currency !== 'string' || !CURRENCY_PATTERN.test(currency)) throw new Error(`money: invalid currency ${JSON.stringify(currency)}`);
    return currency;
  }

  private formatMoney(amount: unknown, currency: string, locale: string): string {
    if (!isMoney(amount)) {
      throw new Error(`money: expected a decimal string such as "129.00", got ${describe(amount)}`);
    }
    const key = `${locale}|${currency}`;
    let format = this.numberFormats.get(key);
    if (!format) {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
      // never round an amount away: allow the two decimals we store even for currencies shown without them (JPY)
      if ((format.resolvedOptions().maximumFractionDigits ?? 2) < 2) {
        format = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2 });
      }
      this.numberFormats.set(key, format);
    }
    // A decimal string is formatted exactly (Intl.NumberFormat v3, Node >= 19): no float is involved.
    return format.format(fromCents(toCents(amount)) as `${number}`);
  }

  private formatDate(value: unknown, locale: string, timeZone: string, format: 'date' | 'datetime'): string {
    const date = value instanceof Date ? value : typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) throw new Error(`date: expected an ISO 8601 timestamp, got ${describe(value)}`);
    const key = `${locale}|${timeZone}|${format}`;
    let formatter = this.dateFormats.get(key);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat(locale, format === 'date' ? { dateStyle: 'long', timeZone } : { dateStyle: 'long', timeStyle: 'short', timeZone });
      this.dateFormats.set(key, formatter);
    }
    return formatter.format(date);
  }
}

/** Plain factory for code and tests that do not go through Nest DI. */
export function createTemplateRenderer(templatesDir: string, options?: TemplateRendererOptions | string): TemplateRenderer {
  return new TemplateRenderer(templatesDir, options);
}

/** unitPrice × quantity as a decimal string, on integer cents. */
export function lineTotal(unitPrice: unknown, quantity: unknown): string {
  if (!isMoney(unitPrice)) throw new Error(`lineTotal: expected a decimal unit price such as "19.99", got ${describe(unitPrice)}`);
  const count =
    typeof quantity === 'number' && Number.isSafeInteger(quantity) ? BigInt(quantity) : typeof quantity === 'string' && /^\d{1,9}$/.test(quantity) ? BigInt(quantity) : undefined;
  if (count === undefined || count < 0n) throw new Error(`lineTotal: expected a whole quantity, got ${describe(quantity)}`);
  return fromCents(toCents(unitPrice) * count);
}

// --- internals -----------------------------------------------------------------------------

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function canonicalLocale(locale: unknown): string | undefined {
  if (typeof locale !== 'string' || !/^[A-Za-z0-9_-]{1,35}$/.test(locale)) return undefined;
  try {
    // "zh-cn" → "zh-CN", "en_US" is rejected; a canonical tag never contains "/" or ".."
    return Intl.getCanonicalLocales(locale.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}

/** Splits a helper call's arguments into [options, ...positional] and checks the count. */
function helperArgs(name: string, args: unknown[], expected: number): [Handlebars.HelperOptions, ...unknown[]] {
  const options = args[args.length - 1] as Handlebars.HelperOptions;
  const positional = args.slice(0, -1);
  if (positional.length !== expected) throw new Error(`${name}: expected ${expected} argument(s), got ${positional.length}`);
  return [options, ...positional];
}

function localeOf(options: Handlebars.HelperOptions): string {
  const locale = (options.data as Partial<RuntimeData> | undefined)?.locale;
  if (typeof locale !== 'string') throw new Error('helper called outside TemplateRenderer.render (no @locale)');
  return locale;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined (missing field?)';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

function normaliseText(text: string): string {
  return `${text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** One line, no control characters: CR/LF (and Unicode line breaks) would allow header injection. */
function sanitiseSubject(subject: string): string {
  return subject
    // eslint-disable-next-line no-control-regex -- matching control characters is the point (header injection)
    .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

function toCompileError(env: typeof Handlebars, file: string, error: unknown): TemplateCompileError {
  const message = error instanceof Error ? error.message : String(error);
  const exception = error as { lineNumber?: unknown; column?: unknown };
  let line: number | undefined;
  let column: number | undefined;
  if (typeof exception.lineNumber === 'number') {
    // Handlebars.Exception: 1-based line, 0-based column; its message already ends in " - line:column"
    line = exception.lineNumber;
    column = typeof exception.column === 'number' ? exception.column + 1 : undefined;
  } else {
    // Jison parse errors only say "Parse error on line N:"; the column is where the lexer stopped
    const lineMatch = /(?:Parse|Lexical) error on line (\d+)/.exec(message);
    if (lineMatch) {
      line = Number(lineMatch[1]);
      const location = (env as unknown as { Parser?: { lexer?: { yylloc?: { first_line?: number; first_column?: number } } } }).Parser?.lexer?.yylloc;
      if (location?.first_line === line && typeof location.first_column === 'number') column = location.first_column + 1;
    }
  }
  return new TemplateCompileError(file, line, column, message.replace(/ - \d+:\d+$/, ''), { cause: error });
}

/** Rejects unescaped output in html templates; a layout may only use {{{body}}}. */
function assertEscapedOutput(node: unknown, file: string, isLayout: boolean): void {
  if (Array.isArray(node)) {
    for (const child of node) assertEscapedOutput(child, file, isLayout);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const statement = node as { type?: string; escaped?: boolean; path?: { original?: unknown }; params?: unknown[]; loc?: hbs.AST.SourceLocation };
  if (statement.type === 'MustacheStatement' && statement.escaped === false) {
    const allowed = isLayout && statement.path?.original === 'body' && !statement.params?.length;
    if (!allowed) {
      const start = statement.loc?.start;
      throw new TemplateCompileError(
        file,
        start?.line,
        start ? start.column + 1 : undefined,
        isLayout ? 'a layout may only output {{{body}}} unescaped' : 'unescaped output ({{{…}}} or {{&…}}) is not allowed in html templates',
      );
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'loc' && value && typeof value === 'object') assertEscapedOutput(value, file, isLayout);
  }
}
