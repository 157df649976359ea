import React from 'react';
import { Link } from 'react-router-dom';
import { Box, H3, Text } from '@adminjs/design-system';
import type { DashboardReports } from '../ui-contract';
import { ReportChart } from './report-chart';
import { useReportWords } from './report-labels';

/** Dashboard (G4): the last 30 days' orders and revenue, and their statuses; a day or a status opens the filtered order list. */
export function DashboardCharts({ reports }: { reports: DashboardReports }) {
  const { words, statusName } = useReportWords();
  return (
    <Box flex flexWrap="wrap" mb="xl" data-testid="dashboard-reports">
      <Box variant="card" mr="lg" mb="lg" style={{ flex: '2 1 480px' }}>
        <H3>{words.last30}</H3>
        <Text fontSize="sm" color="grey60" mb="md">
          {reports.from} – {reports.to} · <Link to={reports.url} data-testid="dashboard-orders-link">{words.openOrders}</Link>
        </Text>
        <ReportChart
          kind="line"
          testId="dashboard-sales-chart"
          labels={reports.days.map((day) => day.date.slice(5))}
          series={[{ label: words.fields.orders, values: reports.days.map((day) => day.orders) }, { label: words.fields.revenue, values: reports.days.map((day) => Number(day.revenue)), right: true }]}
          links={reports.days.map((day) => day.url)}
        />
      </Box>
      <Box variant="card" mb="lg" style={{ flex: '1 1 300px' }}>
        <H3>{words.statusesLast30}</H3>
        {reports.statuses.length ? (
          <ReportChart
            kind="bar"
            testId="dashboard-status-chart"
            labels={reports.statuses.map((row) => statusName(row.status))}
            series={[{ label: words.fields.count, values: reports.statuses.map((row) => row.count) }]}
            links={reports.statuses.map((row) => row.url)}
            height={200}
          />
        ) : (
          <Text>{words.noRows}</Text>
        )}
        <Box mt="md">
          {reports.statuses.map((row) => (
            <Text key={row.status} fontSize="sm">
              <Link to={row.url} data-testid={`dashboard-status-${row.status}`}>{statusName(row.status)}</Link>: {row.count}
            </Text>
          ))}
        </Box>
      </Box>
    </Box>
  );
}
