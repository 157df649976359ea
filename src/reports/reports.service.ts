import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '../common/errors';
import { SettingsService } from '../settings/settings.service';
import { isReportName, type Report, REPORT_NAMES } from './report-definitions';
import { type ReportFile, reportCsv, reportXlsx } from './report-files';
import { ReportRollups } from './report-rollups';
import { StaffPerformance } from './staff-performance';

/** The longest range one report covers: a year (a leap year's days). */
export const MAX_REPORT_DAYS = 366;
/** Without `from`, a report covers this many days up to `to`. */
export const DEFAULT_REPORT_DAYS = 30;

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** A report's filter: shop days (both inclusive; defaults: the 30 days up to today) and at most `limit` rows (none: all). */
export interface ReportFilter {
  from?: string;
  to?: string;
  limit?: number;
}

/** Today in `timeZone` as YYYY-MM-DD. */
export function shopToday(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** G4 reports read from the rollups, and staff performance (G5.3), as JSON, CSV or XLSX; days are the shop's (settings `timeZone`). */
@Injectable()
export class ReportsService {
  constructor(
    private readonly rollups: ReportRollups,
    private readonly staff: StaffPerformance,
    private readonly settings: SettingsService,
  ) {}

  async report(name: string, query: ReportFilter): Promise<Report> {
    const { report, from, to } = await this.filter(name, query);
    if (report === 'staff-performance') return { report, from, to, rows: await this.staffRows(from, to, query) };
    return { report, from, to, rows: await this.rollups.rows(report, from, to, query.limit ?? null) };
  }

  /** The report as API.md's JSON text, its rows written by PostgreSQL (what GET /api/reports/{report} answers). */
  async reportJson(name: string, query: ReportFilter): Promise<string> {
    const filter = await this.filter(name, query);
    // one row per user: nothing to gain from PostgreSQL writing the JSON
    if (filter.report === 'staff-performance') return JSON.stringify({ ...filter, rows: await this.staffRows(filter.from, filter.to, query) });
    return `${JSON.stringify(filter).slice(0, -1)},"rows":${await this.rollups.rowsJson(filter.report, filter.from, filter.to, query.limit ?? null)}}`;
  }

  private async staffRows(from: string, to: string, query: ReportFilter) {
    return this.staff.rows(from, to, (await this.settings.get()).timeZone, query.limit ?? null);
  }

  /** The report asked for and its range: 404 for another name, 422 for a range backwards or over MAX_REPORT_DAYS. */
  private async filter(name: string, query: ReportFilter): Promise<Omit<Report, 'rows'>> {
    if (!isReportName(name)) throw new NotFoundError('Report', `${name} (reports: ${REPORT_NAMES.join(', ')})`);
    const { timeZone } = await this.settings.get();
    const to = query.to ?? shopToday(timeZone);
    const from = query.from ?? dateOf(dayNumber(to) - (DEFAULT_REPORT_DAYS - 1));
    if (from > to) throw ValidationError.of('to', `must not be before from (${from})`);
    if (dayNumber(to) - dayNumber(from) + 1 > MAX_REPORT_DAYS) throw ValidationError.of('from', `a report covers at most ${MAX_REPORT_DAYS} days; ${from} – ${to} is longer`);
    return { report: name, from, to };
  }

  async file(name: string, query: ReportFilter, format: 'csv' | 'xlsx'): Promise<ReportFile> {
    const report = await this.report(name, query);
    const { timeZone } = await this.settings.get();
    return format === 'csv' ? reportCsv(report, timeZone) : reportXlsx(report, timeZone);
  }
}
