import type { CurrentAdmin, PageHandler, ViewHelpers } from 'adminjs';
import { AppError } from '../common/errors';
import { isRealIsoTime } from '../common/validation';
import { isReportName, REPORT_NAMES } from '../reports/report-definitions';
import type { ReportsService } from '../reports/reports.service';
import type { SettingsService } from '../settings/settings.service';
import { can } from './admin-access';
import type { DashboardReports, ReportPageData } from './ui-contract';

/** The page's table shows at most this many products or customers (a browser table of 70,000 rows is unusable); the downloads have all. */
export const PAGE_ROWS = 200;
const RANKINGS = new Set(['product-ranking', 'customer-behaviour']);

const REFUSED = 'Your role does not allow reports (permission reports.read) / 您的角色无权查看报表';

/** The order list filtered by placed days (whole days in the shop's time zone) and, optionally, statuses. */
export function orderListUrl(h: ViewHelpers, from: string, to: string, statuses?: string[]): string {
  const query = new URLSearchParams({ 'filters.placedAt~~from': from, 'filters.placedAt~~to': to });
  if (statuses) query.set('filters.status', statuses.join(','));
  return h.listUrl('Order', `?${query}`);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** G4 Reports page: the report for the range asked (`?report=&from=&to=`), read through ReportsService like the API. */
export function reportsPage(reports: ReportsService, settings: SettingsService): PageHandler {
  return async (request, _response, context): Promise<ReportPageData> => {
    const { timeZone } = await settings.get();
    const query = (request.query ?? {}) as Record<string, unknown>;
    const name = text(query.report) ?? 'daily-sales';
    const empty: ReportPageData = { report: name, from: text(query.from) ?? '', to: text(query.to) ?? '', timeZone, rows: [], listUrls: {} };
    if (!can(context.currentAdmin, 'reports.read')) return { ...empty, refused: REFUSED };
    if (!isReportName(name)) return { ...empty, report: 'daily-sales', problem: `Unknown report ${name}; the reports are ${REPORT_NAMES.join(', ')}` };
    for (const bound of ['from', 'to'] as const) {
      const value = text(query[bound]);
      if (value !== undefined && !isRealIsoTime(value, { dateOnly: true })) return { ...empty, problem: `${bound} must be a real date like 2026-05-01` };
    }
    try {
      const limit = RANKINGS.has(name) ? PAGE_ROWS + 1 : undefined;
      const report = await reports.report(name, { from: text(query.from), to: text(query.to), limit });
      const limited = limit !== undefined && report.rows.length > PAGE_ROWS;
      if (limited) report.rows = report.rows.slice(0, PAGE_ROWS);
      const listUrls: Record<string, string> = {};
      for (const row of report.rows as unknown as Array<Record<string, string | number>>) {
        if (name === 'daily-sales') listUrls[row.date] = orderListUrl(context.h, String(row.date), String(row.date));
        if (name === 'status-distribution') listUrls[row.status] = orderListUrl(context.h, report.from, report.to, [String(row.status)]);
      }
      return { report: name, from: report.from, to: report.to, timeZone, rows: report.rows as unknown as ReportPageData['rows'], listUrls, limitedTo: limited ? PAGE_ROWS : undefined };
    } catch (error) {
      if (error instanceof AppError && error.status === 422) return { ...empty, problem: error.message };
      throw error;
    }
  };
}

/** The dashboard's last 30 shop days: orders and revenue per day, and the statuses of the orders placed in them. */
export async function dashboardReports(reports: ReportsService, h: ViewHelpers, currentAdmin: CurrentAdmin | undefined): Promise<DashboardReports | undefined> {
  if (!can(currentAdmin, 'reports.read')) return undefined;
  const sales = await reports.report('daily-sales', {});
  const statuses = await reports.report('status-distribution', { from: sales.from, to: sales.to });
  return {
    from: sales.from,
    to: sales.to,
    days: (sales.rows as Array<{ date: string; orders: number; revenue: string }>).map((row) => ({ ...row, url: orderListUrl(h, row.date, row.date) })),
    statuses: (statuses.rows as Array<{ status: string; count: number }>).map((row) => ({ ...row, url: orderListUrl(h, sales.from, sales.to, [row.status]) })),
    url: orderListUrl(h, sales.from, sales.to),
  };
}
