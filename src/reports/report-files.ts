import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { type Report, REPORTS, type ReportFieldKind, type ReportFormat } from './report-definitions';

export interface ReportFile {
  body: Buffer;
  contentType: string;
  fileName: string;
}

export const CONTENT_TYPES: Record<Exclude<ReportFormat, 'json'>, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Excel opens a CSV as UTF-8 (Chinese names intact) only when it starts with the byte order mark. */
export const UTF8_BOM = '\uFEFF';

/** The wall-clock time of an instant in `timeZone` as `YYYY-MM-DD HH:mm:ss` (what a spreadsheet shows and parses). */
export function shopTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A spreadsheet has no time zones: a shop-local date or time is stored as that wall-clock time (read back with UTC getters). */
export const wallClock = (local: string): Date => new Date(`${local.replace(' ', 'T')}${local.length === 10 ? 'T00:00:00' : ''}Z`);

/**
 * Text a spreadsheet would run as a formula (a customer named `=HYPERLINK(...)`, OWASP "CSV injection"): a CSV cell that
 * starts with = + - @ or a tab / carriage return gets a leading apostrophe, which Excel and WPS show as text. XLSX
 * needs none: its text cells are never formulas.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell of a CSV made safe to open in a spreadsheet (see above); the order list's export uses it too. */
export const csvText = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

function csvValue(kind: ReportFieldKind, value: unknown, timeZone: string): unknown {
  if (value === null || value === undefined) return ''; // a figure there is none of (staff performance's minutes without timed work)
  if (kind === 'time') return shopTime(String(value), timeZone);
  if (kind === 'text' && typeof value === 'string') return csvText(value);
  return value;
}

function cellValue(kind: ReportFieldKind, value: unknown, timeZone: string): ExcelJS.CellValue {
  if (value === null || value === undefined) return null; // an empty cell, not a 0
  switch (kind) {
    case 'date':
      return wallClock(String(value));
    case 'time':
      return wallClock(shopTime(String(value), timeZone));
    case 'money':
    case 'integer':
    case 'decimal':
      return Number(value);
    case 'text':
      return String(value);
  }
}

const NUMBER_FORMATS: Partial<Record<ReportFieldKind, string>> = { date: 'yyyy-mm-dd', time: 'yyyy-mm-dd hh:mm:ss', money: '#,##0.00', integer: '0', decimal: '0.0' };

const fileName = (report: Report, format: string) => `${report.report}_${report.from}_${report.to}.${format}`;

/** CSV: a header row of the JSON field names, then the rows; times as the shop's wall-clock time. */
export function reportCsv(report: Report, timeZone: string): ReportFile {
  const fields = REPORTS[report.report].fields;
  const records = report.rows.map((row) => fields.map((field) => csvValue(field.kind, (row as unknown as Record<string, unknown>)[field.name], timeZone)));
  const text = stringify(records, { header: true, columns: fields.map((field) => field.name) });
  return { body: Buffer.from(UTF8_BOM + text, 'utf8'), contentType: CONTENT_TYPES.csv, fileName: fileName(report, 'csv') };
}

/**
 * XLSX: a title row naming the report and its filter (bilingual), a header row of the field names, then the rows with
 * typed cells: numbers as numbers, days and times as dates (the shop's wall-clock time), text as text.
 */
export async function reportXlsx(report: Report, timeZone: string): Promise<ReportFile> {
  const definition = REPORTS[report.report];
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'OMS';
  const sheet = workbook.addWorksheet(report.report, { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.addRow([`${definition.title['zh-CN']} ${definition.title.en} · ${report.from} – ${report.to} (${timeZone})`]);
  sheet.mergeCells(1, 1, 1, definition.fields.length);
  sheet.getRow(1).font = { bold: true, size: 13 };
  const header = sheet.addRow(definition.fields.map((field) => field.name));
  header.font = { bold: true };
  for (const row of report.rows) {
    sheet.addRow(definition.fields.map((field) => cellValue(field.kind, (row as unknown as Record<string, unknown>)[field.name], timeZone)));
  }
  definition.fields.forEach((field, index) => {
    const column = sheet.getColumn(index + 1);
    column.width = field.kind === 'time' ? 20 : field.kind === 'text' ? 24 : 14;
    const format = NUMBER_FORMATS[field.kind];
    if (format) column.eachCell((cell, rowNumber) => { if (rowNumber > 2) cell.numFmt = format; });
  });
  const body = Buffer.from(await workbook.xlsx.writeBuffer());
  return { body, contentType: CONTENT_TYPES.xlsx, fileName: fileName(report, 'xlsx') };
}
