import React, { useEffect, useState } from 'react';
import { Box, Button, H3, Input, Label, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { REPORTS_DOWNLOAD_PATH, REPORTS_PAGE, type ReportPageData } from '../ui-contract';
import { api } from './api';
import { ReportChart, type ChartSeries } from './report-chart';
import { type ReportWords, useReportWords } from './report-labels';

const REPORTS = ['daily-sales', 'status-distribution', 'product-ranking', 'customer-behaviour', 'staff-performance'] as const;
type ReportName = (typeof REPORTS)[number];
const COLUMNS: Record<ReportName, string[]> = {
  'daily-sales': ['date', 'orders', 'items', 'revenue'],
  'status-distribution': ['status', 'count'],
  'product-ranking': ['sku', 'name', 'quantity', 'revenue'],
  'customer-behaviour': ['customer', 'phone', 'orders', 'revenue', 'firstOrderAt', 'lastOrderAt'],
  'staff-performance': [
    'operator', 'ordersReviewed', 'ordersApproved', 'ordersRejected', 'ordersCancelled', 'exceptionsResolved', 'casesHandled', 'tasksCompleted', 'workItems',
    'medianMinutes', 'p90Minutes',
  ],
};
/** Rankings chart their leaders only; the table and the downloads have every row. */
const CHART_TOP = 20;

const isReport = (name: string): name is ReportName => (REPORTS as readonly string[]).includes(name);

function shopTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

function chartOf(data: ReportPageData, words: ReportWords, statusName: (code: string) => string): { kind: 'line' | 'bar' | 'doughnut'; labels: string[]; series: ChartSeries[]; links: Array<string | undefined> } {
  const fields = words.fields;
  const rows = data.rows;
  switch (data.report) {
    case 'daily-sales':
      return {
        kind: 'line',
        labels: rows.map((row) => String(row.date)),
        series: [{ label: fields.orders, values: rows.map((row) => Number(row.orders)) }, { label: fields.revenue, values: rows.map((row) => Number(row.revenue)), right: true }],
        links: rows.map((row) => data.listUrls[String(row.date)]),
      };
    case 'status-distribution':
      return {
        kind: 'doughnut',
        labels: rows.map((row) => statusName(String(row.status))),
        series: [{ label: fields.count, values: rows.map((row) => Number(row.count)) }],
        links: rows.map((row) => data.listUrls[String(row.status)]),
      };
    case 'product-ranking': {
      const top = rows.slice(0, CHART_TOP);
      return { kind: 'bar', labels: top.map((row) => `${row.name || row.sku}`), series: [{ label: fields.quantity, values: top.map((row) => Number(row.quantity)) }], links: [] };
    }
    case 'staff-performance': {
      const top = rows.slice(0, CHART_TOP);
      return {
        kind: 'bar',
        labels: top.map((row) => String(row.operatorName || row.operator)),
        series: [{ label: fields.workItems, values: top.map((row) => Number(row.workItems)) }, { label: fields.medianMinutes, values: top.map((row) => Number(row.medianMinutes ?? 0)), right: true }],
        links: [],
      };
    }
    default: {
      const top = rows.slice(0, CHART_TOP);
      return { kind: 'bar', labels: top.map((row) => `${row.customer} ${row.phone}`), series: [{ label: fields.revenue, values: top.map((row) => Number(row.revenue)) }], links: [] };
    }
  }
}

/** G4 and G5.3: the five reports over a range of shop days, as a chart and a table, with CSV and XLSX downloads; in the user's language. */
const ReportsPage: React.FC = () => {
  const [query, setQuery] = useState({ report: 'daily-sales', from: '', to: '' });
  const [data, setData] = useState<ReportPageData | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const { words, statusName, limited } = useReportWords();

  const load = async (next: typeof query) => {
    setBusy(true);
    try {
      const answer = (await api.getPage({ pageName: REPORTS_PAGE, params: next })).data as ReportPageData;
      setData(answer);
      setFailed(false);
      if (!answer.problem && !answer.refused) setQuery({ report: answer.report, from: answer.from, to: answer.to });
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load(query);
  }, []);

  if (failed) return <MessageBox variant="danger" message={words.loadFailed} m="xxl" />;
  if (!data) return <Loader />;
  if (data.refused) return <MessageBox variant="danger" message={data.refused} m="xxl" data-testid="reports-refused" />;
  const report: ReportName = isReport(data.report) ? data.report : 'daily-sales';
  const chart = chartOf(data, words, statusName);
  const download = (format: 'csv' | 'xlsx') => `${REPORTS_DOWNLOAD_PATH}/${report}?${new URLSearchParams({ from: data.from, to: data.to, format })}`;
  const cell = (column: string, row: Record<string, string | number | null>) => {
    const value = row[column];
    if (value === null || value === undefined) return '—';
    if (column === 'operator') return row.operatorName ? `${row.operatorName} (${String(value)})` : String(value);
    if (column === 'firstOrderAt' || column === 'lastOrderAt') return shopTime(String(value), data.timeZone);
    if (column === 'status') {
      const name = statusName(String(value));
      return data.listUrls[String(value)] ? <a href={data.listUrls[String(value)]}>{name}</a> : name;
    }
    if (column === 'date' && data.listUrls[String(value)]) return <a href={data.listUrls[String(value)]}>{String(value)}</a>;
    return String(value);
  };

  return (
    <Box p="xxl" data-testid="reports-page">
      <H3 mb="sm">{words.title}</H3>
      <Text mb="lg" color="grey60">
        {report === 'staff-performance' ? words.staffIntro : words.intro} ({data.timeZone})
      </Text>
      <Box flex flexWrap="wrap" mb="lg">
        {REPORTS.map((name) => (
          <Button key={name} mr="sm" mb="sm" size="sm" variant={name === report ? 'contained' : 'outlined'} data-testid={`report-${name}`} disabled={busy}
            onClick={() => void load({ ...query, report: name })}>
            {words.names[name]}
          </Button>
        ))}
      </Box>
      <Box as="form" flex alignItems="flex-end" flexWrap="wrap" mb="lg" onSubmit={(event: React.FormEvent) => { event.preventDefault(); void load(query); }}>
        <Box mr="lg">
          <Label htmlFor="report-from">{words.from}</Label>
          <Input id="report-from" type="date" value={query.from} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setQuery({ ...query, from: event.target.value })} />
        </Box>
        <Box mr="lg">
          <Label htmlFor="report-to">{words.to}</Label>
          <Input id="report-to" type="date" value={query.to} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setQuery({ ...query, to: event.target.value })} />
        </Box>
        <Button type="submit" variant="contained" mr="lg" disabled={busy} data-testid="report-show">
          {words.show}
        </Button>
        <a href={download('csv')} download data-testid="download-csv" style={{ marginRight: 16 }}>{words.downloadCsv}</a>
        <a href={download('xlsx')} download data-testid="download-xlsx">{words.downloadXlsx}</a>
      </Box>
      {data.problem ? <MessageBox variant="danger" message={data.problem} mb="lg" data-testid="report-problem" /> : null}
      {data.limitedTo ? <MessageBox variant="info" message={limited(data.limitedTo)} mb="lg" data-testid="report-limited" /> : null}
      <Box variant="card" mb="xl">
        <Text fontWeight="bold" mb="md">{words.names[report]} · {data.from} – {data.to}</Text>
        {data.rows.length ? <ReportChart kind={chart.kind} labels={chart.labels} series={chart.series} links={chart.links} testId="report-chart" /> : <Text>{words.noRows}</Text>}
      </Box>
      {data.rows.length ? (
        <Table data-testid="report-table">
          <TableHead>
            <TableRow>
              {COLUMNS[report].map((column) => (
                <TableCell key={column}>{words.fields[column as keyof typeof words.fields]}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {data.rows.map((row, index) => (
              <TableRow key={index}>
                {COLUMNS[report].map((column) => (
                  <TableCell key={column}>{cell(column, row)}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Box>
  );
};

export default ReportsPage;
