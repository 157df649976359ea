import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { fromCents, isMoney, toCents } from '../common/money';
import { NOTIFICATION_LOCALES } from './notification-events';

/**
 * Renders notification templates (Handlebars) into ready-to-send message parts (G3.2, issue 7).
 *
 * Layout of the templates directory (paths below are also the keys of overrides, always with "/"):
 *
 *   <dir>/<channel>/<locale>/<event>.subject.hbs   email: required
 *   <dir>/<channel>/<locale>/<event>.text.hbs      required (email and sms)
 *   <dir>/<channel>/<locale>/<event>.html.hbs      email: optional
 *   <dir>/layouts/<channel>.html.hbs               optional, wraps the html part via {{{body}}}
 *   <dir>/partials/<name>.html.hbs                 partial `name` for html templates and layouts
 *   <dir>/partials/<name>.text.hbs                 partial `name` for text and subject templates
 *
 * Helpers, registered in both environments; every one rejects a missing (undefined) argument:
 *
 *   {{money amount}} {{money amount currency="USD"}}   "129.00" → "¥129.00" / "CN¥129.00", in the message's locale
 *   {{lineTotal unitPrice quantity}}                   "19.99" × 3 → "59.97", on integer cents
 *   {{date iso}} {{date iso format="date"}}            in the message's locale and the configured time zone
 *   {{eq a b}}                                         strict equality, for {{#if (eq case.type "return")}}
 *   {{trackingLink shipment}}                          the tracking URL when there is one, else "<carrierName> <trackingNumber>"
 *   {{afterSalesLink}}                                 the root's links.afterSales, or "" when absent: {{#if (afterSalesLink)}}
 *   {{caseType case.type}}                             after-sales type as a label in the message's locale (return → 退货 / Return)
 *   {{problemText problem.kind}}                       delivery problem kind as a label (address_problem → 收货地址异常 / Delivery address problem)
 *
 *   The two label helpers print an unknown code as it is, so that a type added later does not stop a send.
 *
 * Overrides (admin-edited templates, stored elsewhere): `setOverrides()` gives sources by relative path
 * that win over the files, for templates, partials, layouts and locale resolution alike (an overridden
 * text part makes the template exist). `withOverrides()` derives a renderer for previews of unsaved
 * edits; `checkTemplate()` validates an edit before it is stored; `templatePaths()` and `sourceOf()`
 * feed the editor. Only known template locations can be overridden, checked or read:
 * `email/<locale>/<event>.(subject|text|html).hbs`, `sms/<locale>/<event>.text.hbs`,
 * `partials/<name>.(html|text).hbs`, `layouts/email.html.hbs`, with <locale> one of NOTIFICATION_LOCALES.
 *
 * Decisions:
 *
 * - Strict mode. Every template is compiled with `strict: true`, so a field the template prints
 *   that is missing from the data throws instead of silently rendering "". (`assumeObjects` is
 *   not used: it is a subset of strict mode that only drops the existence checks.) Caveat of
 *   Handlebars' strict mode: helper arguments (`{{#if a.b}}`, `{{money a.b}}`) do not throw on a
 *   missing *last* segment, which is how templates mark optional fields (`{{#if x.district}}`);
 *   our helpers reject undefined themselves, so `{{money order.totals.shipping}}` still fails.
 *   A missing *middle* segment does throw (`{{#if order.payment.amount}}` without `order.payment`):
 *   guard optional objects first (`{{#with order.payment}}`, `{{#if cancellation}}`).
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
 * - Partials are checked at compile time: a `{{> name}}` whose partial exists neither as a file nor
 *   as an override of the same kind fails like a syntax error (Handlebars itself would only fail
 *   when the line is reached, perhaps in one branch at the first real send). Inline partials
 *   (`{{#*inline "x"}}`) count, `{{#> x}}fallback{{/x}}` blocks are allowed to miss, dynamic names
 *   (`{{> (lookup …)}}`) are refused: data must never choose a partial.
 * - Data should be plain JSON (it comes from a jsonb column). Class instances are not made
 *   usable by relaxing prototype access.
 * - Compiled templates are cached, and so is the absence of a file; `reload()` and `setOverrides()`
 *   drop the caches (and the partials), e.g. after templates are edited on disk.
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

/** Where a template source came from: an admin's stored edit or the shipped file. */
export interface TemplateSource {
  source: string;
  origin: 'override' | 'file';
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
type Environments = Record<Kind, typeof Handlebars>;

interface RuntimeData {
  locale: string;
}

const NAME = '[A-Za-z0-9][A-Za-z0-9_-]*';
const EVENT_PATTERN = new RegExp(`^${NAME}$`);
const PARTIAL_FILE_PATTERN = new RegExp(`^partials/(${NAME})\\.(html|text)\\.hbs$`);
const LOCALES = NOTIFICATION_LOCALES.join('|');
/** The paths an override, checkTemplate() or sourceOf() may name (see the header). */
const TEMPLATE_LOCATIONS = [
  new RegExp(`^email/(?:${LOCALES})/${NAME}\\.(?:subject|text|html)\\.hbs$`),
  new RegExp(`^sms/(?:${LOCALES})/${NAME}\\.text\\.hbs$`),
  PARTIAL_FILE_PATTERN,
  /^layouts\/email\.html\.hbs$/,
];
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

@Injectable()
export class TemplateRenderer {
  private readonly options: Required<TemplateRendererOptions>;
  /** The two environments and the partial files registered into them, until reload(). */
  private compiled: { envs: Environments; partials: ReadonlySet<string> } | undefined;
  /** Relative path → source that wins over the file of that path. */
  private overrides: ReadonlyMap<string, string> = new Map();
  /** Relative path → compiled template, or null when there is no such template. */
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
    const timeZone = options.timeZone ?? 'Asia/Shanghai';
    new Intl.DateTimeFormat('en', { timeZone }); // throws RangeError on an unknown zone
    const defaultCurrency = options.defaultCurrency ?? 'CNY';
    if (!CURRENCY_PATTERN.test(defaultCurrency)) throw new RangeError(`invalid default currency: ${defaultCurrency}`);
    this.options = { defaultLocale, timeZone, defaultCurrency };
  }

  render(channel: NotificationChannel, event: string, locale: string, data: object): RenderedMessage {
    if (channel !== 'email' && channel !== 'sms') throw new TypeError(`unknown channel: ${String(channel)}`);
    const { resolvedLocale, dir } = this.resolve(channel, event, locale);
    const runtime: RuntimeData = { locale: resolvedLocale };
    const file = (part: Part) => `${dir}/${event}.${part}.hbs`;

    const text = normaliseText(this.renderFile(file('text'), data, runtime)!);
    if (channel === 'sms') return { text, locale: resolvedLocale };

    const subjectSource = this.renderFile(file('subject'), data, runtime);
    if (subjectSource === undefined) throw new TemplateNotFoundError(channel, event, locale, [file('subject')]);
    const subject = sanitiseSubject(subjectSource);

    const body = this.renderFile(file('html'), data, runtime);
    if (body === undefined) return { subject, text, locale: resolvedLocale };
    const layoutContext = { ...data, body, subject, locale: resolvedLocale };
    const html = this.renderFile(`layouts/${channel}.html.hbs`, layoutContext, runtime) ?? body;
    return { subject, html, text, locale: resolvedLocale };
  }

  /** Forgets compiled templates, partials and missing-file results; the next render reads the files again. */
  reload(): void {
    this.cache.clear();
    this.compiled = undefined;
  }

  // --- overrides (admin-edited templates) --------------------------------------------------

  /** Replaces the overrides: relative path → source, winning over the file of that path. Drops the caches. */
  setOverrides(overrides: ReadonlyMap<string, string>): void {
    for (const [path, source] of overrides) {
      assertTemplateLocation(path);
      if (typeof source !== 'string') throw new TypeError(`override of ${path} is not a string`);
    }
    this.overrides = new Map(overrides);
    this.reload();
  }

  /** A renderer on the same directory and options with this one's overrides plus `extra` (previews of unsaved edits). */
  withOverrides(extra: ReadonlyMap<string, string>): TemplateRenderer {
    const renderer = new TemplateRenderer(this.templatesDir, this.options);
    renderer.setOverrides(new Map([...this.overrides, ...extra]));
    return renderer;
  }

  /**
   * Compiles `source` as the template at `relativePath` would be compiled (html or text rules, layout rule,
   * partials that must exist) and throws TemplateCompileError with its line and column; TypeError for a path
   * that is not a template location.
   */
  checkTemplate(relativePath: string, source: string): void {
    assertTemplateLocation(relativePath);
    if (typeof source !== 'string') throw new TypeError('template source must be a string');
    const partials = this.partialFiles();
    partials.add(relativePath); // a new partial may refer to itself (recursion over nested data)
    checkSource(Handlebars.create(), relativePath, source, partials);
  }

  /** Every template location present on disk or in the overrides, relative, sorted, unique. */
  templatePaths(): string[] {
    const paths = new Set(listFiles(this.templatesDir).filter(isTemplateLocation));
    for (const path of this.overrides.keys()) paths.add(path);
    return [...paths].sort();
  }

  /** The source that renders for `relativePath` and where it comes from; null when there is none. */
  sourceOf(relativePath: string): TemplateSource | null {
    assertTemplateLocation(relativePath);
    const override = this.overrides.get(relativePath);
    if (override !== undefined) return { source: override, origin: 'override' };
    const source = this.readFile(relativePath);
    return source === null ? null : { source, origin: 'file' };
  }

  // --- resolution --------------------------------------------------------------------------

  /** requested locale → its language ("en-US" → "en") → the default locale; first with a text template wins. */
  private resolve(channel: NotificationChannel, event: string, locale: string): { resolvedLocale: string; dir: string } {
    const tried: string[] = [];
    if (typeof event !== 'string' || !EVENT_PATTERN.test(event)) throw new TemplateNotFoundError(channel, String(event), locale, tried);
    const requested = canonicalLocale(locale);
    const candidates = [requested, requested?.split('-')[0], this.options.defaultLocale].filter((candidate): candidate is string => !!candidate);
    for (const candidate of new Set(candidates)) {
      const dir = `${channel}/${candidate}`;
      const textFile = `${dir}/${event}.text.hbs`;
      tried.push(textFile);
      if (this.load(textFile)) return { resolvedLocale: candidate, dir };
    }
    throw new TemplateNotFoundError(channel, event, locale, tried);
  }

  /** The override of a relative path, else its file; null when neither exists. */
  private sourceText(path: string): string | null {
    return this.overrides.get(path) ?? this.readFile(path);
  }

  private readFile(path: string): string | null {
    try {
      return readFileSync(join(this.templatesDir, path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Relative paths of the partials on disk and in the overrides. */
  private partialFiles(): Set<string> {
    const files = new Set(listFiles(join(this.templatesDir, 'partials'), 'partials').filter((path) => PARTIAL_FILE_PATTERN.test(path)));
    for (const path of this.overrides.keys()) if (path.startsWith('partials/')) files.add(path);
    return files;
  }

  // --- compiling ---------------------------------------------------------------------------

  private environments(): { envs: Environments; partials: ReadonlySet<string> } {
    if (!this.compiled) {
      const envs = { html: Handlebars.create(), text: Handlebars.create() };
      for (const env of Object.values(envs)) this.registerHelpers(env);
      const partials = this.partialFiles();
      for (const path of [...partials].sort()) {
        const env = envs[kindOf(path)];
        env.registerPartial(partialName(path), this.compile(env, path, this.sourceText(path)!, partials));
      }
      this.compiled = { envs, partials };
    }
    return this.compiled;
  }

  /** The compiled template of a relative path, or null when there is neither an override nor a file. */
  private load(path: string): Compiled | null {
    const cached = this.cache.get(path);
    if (cached !== undefined) return cached;
    const { envs, partials } = this.environments();
    const source = this.sourceText(path);
    const compiled = source === null ? null : this.compile(envs[kindOf(path)], path, source, partials);
    this.cache.set(path, compiled);
    return compiled;
  }

  private compile(env: typeof Handlebars, path: string, source: string, partials: ReadonlySet<string>): Compiled {
    checkSource(env, path, source, partials);
    return env.compile(source, compileOptions(kindOf(path)));
  }

  private renderFile(path: string, context: object, runtime: RuntimeData): string | undefined {
    const template = this.load(path);
    if (!template) return undefined;
    try {
      return template(context, { data: { ...runtime } });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TemplateRenderError(path, reason, { cause: error });
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

    /**
     * {{date iso}} / {{date iso format="date"}} / {{date iso timeZone="UTC"}}: ISO 8601 → "2025年3月1日 10:05", in the zone
     * of the hash, else the data's `timeZone` (the shop's, from the settings), else the renderer's.
     */
    env.registerHelper('date', (...args: unknown[]) => {
      const [options, value] = helperArgs('date', args, 1);
      const hash = options.hash as Record<string, unknown>;
      const root = (options.data as { root?: { timeZone?: unknown } } | undefined)?.root;
      const timeZone = typeof hash.timeZone === 'string' ? hash.timeZone : typeof root?.timeZone === 'string' ? root.timeZone : this.options.timeZone;
      const format = hash.format === undefined ? 'datetime' : hash.format;
      if (format !== 'datetime' && format !== 'date') throw new Error(`date: format must be "date" or "datetime", got ${JSON.stringify(format)}`);
      return this.formatDate(value, localeOf(options), timeZone, format);
    });

    /** {{#if (eq locale "zh-CN")}}: strict equality, for the few locale switches of shared layouts. */
    env.registerHelper('eq', (...args: unknown[]) => {
      const [, left, right] = helperArgs('eq', args, 2);
      return left === right;
    });

    /** {{trackingLink shipment}}: where the customer follows the parcel, the URL or else carrier and number. */
    env.registerHelper('trackingLink', (...args: unknown[]) => {
      const [, shipment] = helperArgs('trackingLink', args, 1);
      return trackingLink(shipment);
    });

    /** {{afterSalesLink}}: the customer's after-sales link from the root data, "" when none was issued. */
    env.registerHelper('afterSalesLink', (...args: unknown[]) => {
      const [options] = helperArgs('afterSalesLink', args, 0);
      const links = (options.data as { root?: { links?: { afterSales?: unknown } } } | undefined)?.root?.links;
      return typeof links?.afterSales === 'string' ? links.afterSales : '';
    });

    /** {{caseType case.type}}: "exchange" → "换货" / "Exchange". */
    env.registerHelper('caseType', labelHelper('caseType', CASE_TYPE_LABELS));

    /** {{problemText problem.kind}}: "stale_tracking" → "物流长时间未更新" / "No tracking updates". */
    env.registerHelper('problemText', labelHelper('problemText', PROBLEM_LABELS));
  }

  private currencyOf(options: Handlebars.HelperOptions): string {
    const root = (options.data as { root?: unknown } | undefined)?.root as { currency?: unknown; order?: { currency?: unknown } } | undefined;
    const currency = (options.hash as Record<string, unknown>).currency ?? root?.currency ?? root?.order?.currency ?? this.options.defaultCurrency;
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

/** Where the customer follows a parcel: its tracking URL, or "<carrierName> <trackingNumber>" when the carrier has none. */
export function trackingLink(shipment: unknown): string {
  const { carrierName, trackingNumber, trackingUrl } = (shipment ?? {}) as { carrierName?: unknown; trackingNumber?: unknown; trackingUrl?: unknown };
  if (typeof carrierName !== 'string' || typeof trackingNumber !== 'string') {
    throw new Error(`trackingLink: expected a shipment with carrierName and trackingNumber, got ${describe(shipment)}`);
  }
  return typeof trackingUrl === 'string' && trackingUrl.trim() !== '' ? trackingUrl : `${carrierName} ${trackingNumber}`;
}

// --- internals -----------------------------------------------------------------------------

/** Labels by language of the message ("zh" for any zh-*, English otherwise). */
type Labels = Record<'zh' | 'en', Readonly<Record<string, string>>>;

const CASE_TYPE_LABELS: Labels = {
  zh: { return: '退货', exchange: '换货', refund_only: '仅退款', lost: '丢件', damaged: '破损', wrong_item: '错发', missing_item: '漏发' },
  en: { return: 'Return', exchange: 'Exchange', refund_only: 'Refund only', lost: 'Lost parcel', damaged: 'Damaged goods', wrong_item: 'Wrong item', missing_item: 'Missing item' },
};

const PROBLEM_LABELS: Labels = {
  zh: { address_problem: '收货地址异常', delivery_exception: '派送异常', stale_tracking: '物流长时间未更新' },
  en: { address_problem: 'Delivery address problem', delivery_exception: 'Delivery exception', stale_tracking: 'No tracking updates' },
};

/** A helper printing the label of a code in the message's language; an unknown code prints as it is. */
function labelHelper(name: string, labels: Labels): Handlebars.HelperDelegate {
  return (...args: unknown[]) => {
    const [options, code] = helperArgs(name, args, 1);
    if (typeof code !== 'string') throw new Error(`${name}: expected a code such as "${Object.keys(labels.en)[0]}", got ${describe(code)}`);
    const table = localeOf(options).split('-')[0].toLowerCase() === 'zh' ? labels.zh : labels.en;
    return Object.hasOwn(table, code) ? table[code] : code;
  };
}

function kindOf(path: string): Kind {
  return path.endsWith('.html.hbs') ? 'html' : 'text';
}

function compileOptions(kind: Kind): CompileOptions {
  return kind === 'html' ? { strict: true } : { strict: true, noEscape: true };
}

/** "partials/order-lines.html.hbs" → "order-lines". */
function partialName(path: string): string {
  return PARTIAL_FILE_PATTERN.exec(path)![1];
}

function isTemplateLocation(path: string): boolean {
  return TEMPLATE_LOCATIONS.some((pattern) => pattern.test(path));
}

function assertTemplateLocation(path: unknown): asserts path is string {
  if (typeof path !== 'string' || !isTemplateLocation(path)) {
    throw new TypeError(
      `not a template location: ${JSON.stringify(path)} (expected email/<locale>/<event>.(subject|text|html).hbs, sms/<locale>/<event>.text.hbs, ` +
        `partials/<name>.(html|text).hbs or layouts/email.html.hbs, locale ${NOTIFICATION_LOCALES.join(' or ')})`,
    );
  }
}

/** Files below `dir`, as `prefix/relative/path` with "/" separators; [] when `dir` does not exist. */
function listFiles(dir: string, prefix = ''): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(join(dir, entry.name), path);
    return entry.isFile() ? [path] : [];
  });
}

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

/**
 * Parses and precompiles a template under the rules of its path, without registering anything:
 * html escaping rules, the layout rule, partials that must exist among `partials` (relative paths).
 */
function checkSource(env: typeof Handlebars, path: string, source: string, partials: ReadonlySet<string>): void {
  const kind = kindOf(path);
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (error) {
    throw toCompileError(env, path, error);
  }
  if (kind === 'html') assertEscapedOutput(ast, path, path.startsWith('layouts/'));
  assertKnownPartials(ast, path, kind, partials);
  try {
    // compile() is lazy; precompile now so that compiler errors surface at load time, not at the first send
    env.precompile(source, compileOptions(kind));
  } catch (error) {
    throw toCompileError(env, path, error);
  }
}

interface AstNode {
  type?: string;
  escaped?: boolean;
  path?: { type?: string; original?: unknown };
  name?: { type?: string; original?: unknown; value?: unknown };
  params?: Array<{ type?: string; value?: unknown }>;
  loc?: hbs.AST.SourceLocation;
}

/** Calls `visit` on every node of a Handlebars AST, depth first. */
function forEachNode(node: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) forEachNode(child, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  visit(node as AstNode);
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'loc' && value && typeof value === 'object') forEachNode(value, visit);
  }
}

function errorAt(file: string, node: AstNode, reason: string): TemplateCompileError {
  const start = node.loc?.start;
  return new TemplateCompileError(file, start?.line, start ? start.column + 1 : undefined, reason);
}

/** Rejects unescaped output in html templates; a layout may only use {{{body}}}. */
function assertEscapedOutput(ast: hbs.AST.Program, file: string, isLayout: boolean): void {
  forEachNode(ast, (node) => {
    if (node.type !== 'MustacheStatement' || node.escaped !== false) return;
    if (isLayout && node.path?.original === 'body' && !node.params?.length) return;
    throw errorAt(file, node, isLayout ? 'a layout may only output {{{body}}} unescaped' : 'unescaped output ({{{…}}} or {{&…}}) is not allowed in html templates');
  });
}

/** Rejects `{{> name}}` of a partial that is neither a file nor an override of this kind, and dynamic partial names. */
function assertKnownPartials(ast: hbs.AST.Program, file: string, kind: Kind, partials: ReadonlySet<string>): void {
  const inline = new Set<string>();
  forEachNode(ast, (node) => {
    const [first] = node.params ?? [];
    if (node.type === 'DecoratorBlock' && node.path?.original === 'inline' && first?.type === 'StringLiteral') inline.add(String(first.value));
  });
  forEachNode(ast, (node) => {
    // a partial block renders its own content when the partial is missing
    if (node.type !== 'PartialStatement') return;
    const name = node.name?.type === 'PathExpression' ? node.name.original : node.name?.type?.endsWith('Literal') ? node.name.value : undefined;
    if (name === undefined) throw errorAt(file, node, 'dynamic partial names are not allowed: name the partial, e.g. {{> order-lines}}');
    const named = String(name);
    if (named.startsWith('@') || inline.has(named) || partials.has(`partials/${named}.${kind}.hbs`)) return;
    throw errorAt(file, node, `unknown partial "${named}" (no partials/${named}.${kind}.hbs)`);
  });
}
