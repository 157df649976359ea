import type { CurrentAdmin, PageHandler, ViewHelpers } from 'adminjs';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { ValidationError } from '../common/errors';
import { EXCEPTION_KINDS, type ExceptionKind, isExceptionKind } from '../exceptions/exception-queue';
import { CONTACT_CHANNELS, type ContactChannel, type ExceptionQueuesService } from '../exceptions/exception-queues.service';
import type { SettingsService } from '../settings/settings.service';
import type { TrackingService } from '../tracking/tracking.service';
import { actAs } from './actions/operator-action';
import { can } from './admin-access';
import type { AdminIdentity } from './admin-auth';
import { ADMIN_LANGUAGES, languageOf } from './locale';
import { translateFormText } from './locale/forms';
import { dayBoundary } from './resources/order-search';
import { type DashboardFigures, EXCEPTION_QUEUES_PAGE, type ExceptionQueuesPageData } from './ui-contract';

const PAGE_SIZE = 50;
const OPS = ['claim', 'release', 'contact', 'paymentRequest', 'restockDate', 'resolveAlert'] as const;
type Op = (typeof OPS)[number];

const queueUrl = (kind: ExceptionKind) => `/admin/pages/${EXCEPTION_QUEUES_PAGE}?kind=${kind}`;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * 异常处理 (G2.6, issue 14 item 4): one queue per kind with its items, owner, age and SLA due time, and the people's actions in
 * place — claim / release, contact noted, payment request, restock date, resolve alert — through ExceptionQueuesService and
 * TrackingService, as the API does them. Amend, record payment, allocate, approve and cancel open the order's own forms.
 */
export function exceptionQueuesPage(identity: AdminIdentity, queues: ExceptionQueuesService, tracking: TrackingService): PageHandler {
  return async (request, response, context): Promise<ExceptionQueuesPageData> => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const payload = (request.payload ?? {}) as Record<string, unknown>;
    const asked = text(payload.kind) || text(query.kind);
    const kind: ExceptionKind = isExceptionKind(asked) ? asked : 'payment';
    const page = Math.max(1, Math.min(10_000, Number.parseInt(text(query.page), 10) || 1));
    const empty = { kind, counts: [], items: [], total: 0, page, pageSize: PAGE_SIZE, me: null };
    if (!can(context.currentAdmin, 'orders.read')) return { allowed: false, canWork: false, ...empty };
    const actor = await identity.actorFor(context.currentAdmin);
    if (!actor) return { allowed: false, canWork: false, ...empty };
    let notice: ExceptionQueuesPageData['notice'];
    if (request.method === 'post') {
      const op = OPS.find((name) => name === payload.op);
      const ref = text(payload.ref);
      const outcome = op
        ? await actAs(identity, 'orders.write', request, response as Response | undefined, context, (who) => perform(op, kind, ref, payload, who))
        : { refused: 'unknown operation' };
      const language = languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
      notice = 'refused' in outcome ? { type: 'error', message: translateFormText(outcome.refused, language) } : { type: 'success', message: outcome.done };
    }
    const [counts, { items, total }] = await Promise.all([queues.counts(), queues.list(kind, {}, (page - 1) * PAGE_SIZE, PAGE_SIZE, actor)]);
    return { allowed: true, canWork: can(context.currentAdmin, 'orders.write'), me: actor.id, kind, counts, items, total, page, pageSize: PAGE_SIZE, notice };
  };

  async function perform(op: Op, kind: ExceptionKind, ref: string, payload: Record<string, unknown>, actor: Parameters<ExceptionQueuesService['claim']>[2]): Promise<string> {
    switch (op) {
      case 'claim':
        await queues.claim(kind, ref, actor);
        return 'claimed';
      case 'release':
        await queues.assign(kind, ref, null, actor);
        return 'released';
      case 'contact': {
        const channel = CONTACT_CHANNELS.find((name) => name === payload.channel) ?? 'phone';
        const note = text(payload.note).trim().slice(0, 500);
        if (!note) throw ValidationError.of('note', 'is required');
        await queues.noteContact(kind, ref, { channel: channel as ContactChannel, note }, actor);
        return 'contactNoted';
      }
      case 'paymentRequest':
        await queues.requestPayment(ref, actor);
        return 'paymentRequested';
      case 'restockDate':
        await queues.setRestockDate(ref, text(payload.date) || null, actor);
        return 'restockDateSaved';
      case 'resolveAlert': {
        const item = await queues.item(kind, ref); // an item of this queue: the alert it is
        await tracking.resolveAlert(item.ref, actor);
        return 'alertResolved';
      }
    }
  }
}

/** The shop's day of `at` as YYYY-MM-DD. */
const shopDay = (timeZone: string, at = new Date()) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/**
 * The dashboard's key figures (G2.1): new orders today and this month (from the report rollup, by the shop's day), parcels
 * shipped today, and the exceptions per queue; each opens its filtered list or queue.
 */
export async function dashboardFigures(db: DataSource, queues: ExceptionQueuesService, settings: SettingsService, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<DashboardFigures | undefined> {
  if (!can(currentAdmin, 'orders.read')) return undefined;
  const { timeZone } = await settings.get();
  const today = shopDay(timeZone);
  const month = `${today.slice(0, 8)}01`;
  const [{ today: newToday, month: newThisMonth }] = await db.query(
    `SELECT coalesce(sum(orders) FILTER (WHERE day = $1::date), 0)::int AS today, coalesce(sum(orders), 0)::int AS month
       FROM report_daily_status WHERE day >= $2::date`,
    [today, month],
  );
  const dayStart = dayBoundary(today, timeZone, false);
  const [{ shipped }] = await db.query(`SELECT count(*)::int AS shipped FROM shipment WHERE shipped_at >= $1::timestamptz`, [dayStart]);
  const placedFrom = (day: string) => h.listUrl('Order', `?${new URLSearchParams({ 'filters.placedAt~~from': day })}`);
  const counts = await queues.counts();
  return {
    orders: [
      { key: 'newToday', count: newToday, url: placedFrom(today) },
      { key: 'newThisMonth', count: newThisMonth, url: placedFrom(month) },
      { key: 'shippedToday', count: shipped, url: h.listUrl('Shipment', `?${new URLSearchParams({ 'filters.shippedAt~~from': dayStart })}`) },
    ],
    exceptions: EXCEPTION_KINDS.map((kind) => {
      const row = counts.find((count) => count.kind === kind)!;
      return { kind, count: row.count, overdue: row.overdue, url: queueUrl(kind) };
    }),
  };
}
