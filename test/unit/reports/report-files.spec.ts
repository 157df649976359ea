import ExcelJS from 'exceljs';
import type { CustomerBehaviourRow, Report } from '../../../src/reports/report-definitions';
import { reportCsv, reportXlsx } from '../../../src/reports/report-files';

/** Customer data comes from shops and customers: an export must never hand a spreadsheet a formula to run (G4). */
describe('report exports and hostile text', () => {
  const hostile: CustomerBehaviourRow[] = [
    { customer: '=HYPERLINK("http://evil.example","点我")', phone: '+8613800138000', orders: 1, revenue: '10.00', firstOrderAt: '2025-04-01T01:00:00Z', lastOrderAt: '2025-04-01T01:00:00Z' },
    { customer: '@SUM(1+1)', phone: '-1', orders: 2, revenue: '20.00', firstOrderAt: '2025-04-01T01:00:00Z', lastOrderAt: '2025-04-01T01:00:00Z' },
    { customer: '张三', phone: '13800138000', orders: 3, revenue: '-5.00', firstOrderAt: '2025-04-01T01:00:00Z', lastOrderAt: '2025-04-01T01:00:00Z' },
  ];
  const report: Report<CustomerBehaviourRow> = { report: 'customer-behaviour', from: '2025-04-01', to: '2025-04-01', rows: hostile };

  it('CSV: a text cell that starts like a formula is written as text (leading apostrophe); numbers stay numbers', () => {
    const lines = reportCsv(report, 'Asia/Shanghai').body.toString('utf8').slice(1).trim().split('\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""点我"")",'+8613800138000,1,10.00,2025-04-01 09:00:00,2025-04-01 09:00:00`);
    expect(lines[2]).toBe(`'@SUM(1+1),'-1,2,20.00,2025-04-01 09:00:00,2025-04-01 09:00:00`);
    expect(lines[3]).toBe('张三,13800138000,3,-5.00,2025-04-01 09:00:00,2025-04-01 09:00:00'); // money is not text: a refund-heavy -5.00 stays a number
  });

  it('XLSX: the same text is a plain string cell, never a formula', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await reportXlsx(report, 'Asia/Shanghai')).body as unknown as ArrayBuffer);
    const cell = workbook.worksheets[0].getCell('A3');
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe('=HYPERLINK("http://evil.example","点我")');
  });
});
