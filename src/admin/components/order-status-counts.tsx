import React, { useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Link } from 'react-router-dom';
import { Box, H2, H3, Loader, MessageBox, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import type { BackupTile, DashboardFigures, DashboardReports, StatusCounts } from '../ui-contract';
import { api } from './api';
import { useTexts } from './i18n';
import { DashboardCharts } from './dashboard-charts';

function Tile({ label, count, url, testId }: { label: string; count: number; url: string; testId: string }) {
  return (
    <Link to={url} style={{ textDecoration: 'none', color: 'inherit' }} data-testid={testId}>
      <Box variant="card" mr="lg" mb="lg" width={220}>
        <Text fontSize="sm" color="grey60">
          {label}
        </Text>
        <H2 mb="0" data-testid="count">
          {count}
        </H2>
      </Box>
    </Link>
  );
}

/** Issue 13: the last verified backup, red when it is older than two schedule periods (or there is none). */
function BackupTileView({ tile }: { tile: BackupTile }) {
  const { translateMessage: t } = useTranslation();
  const { date } = useTexts();
  const color = tile.stale ? 'error' : 'success';
  return (
    <Link to={tile.url} style={{ textDecoration: 'none', color: 'inherit' }} data-testid="backup-tile" data-stale={String(tile.stale)}>
      <Box variant="card" mr="lg" mb="xl" width={300} style={{ borderLeft: `6px solid ${tile.stale ? '#c20012' : '#007c4f'}` }}>
        <Text fontSize="sm" color="grey60">
          {t('backupsLastVerified')}
        </Text>
        <H3 mb="0" color={color}>
          {tile.takenAt ? date(tile.takenAt) : t('backupsNone')}
        </H3>
        {tile.stale ? (
          <Text fontSize="sm" color="error">
            {t('backupsTileStale')}
          </Text>
        ) : null}
      </Box>
    </Link>
  );
}

/** G2.1 / G2.6: new orders today and this month, parcels shipped today, and the exceptions per queue (overdue ones red). */
function KeyFigures({ figures }: { figures: DashboardFigures }) {
  const { t } = useTexts();
  return (
    <>
      <H3>{t('queues.keyFigures')}</H3>
      <Box flex flexWrap="wrap" mb="xl" data-testid="key-figures">
        {figures.orders.map((figure) => (
          <Tile key={figure.key} label={t(`queues.${figure.key}`)} count={figure.count} url={figure.url} testId={`figure-${figure.key}`} />
        ))}
      </Box>
      <H3>{t('queues.exceptions')}</H3>
      <Box flex flexWrap="wrap" mb="xl" data-testid="exception-tiles">
        {figures.exceptions.map((queue) => (
          <Link key={queue.kind} to={queue.url} style={{ textDecoration: 'none', color: 'inherit' }} data-testid={`exceptions-${queue.kind}`}>
            <Box variant="card" mr="lg" mb="lg" width={220} style={{ borderLeft: `6px solid ${queue.count ? '#c20012' : '#007c4f'}` }}>
              <Text fontSize="sm" color="grey60">
                {t(`queues.kinds.${queue.kind}`)}
              </Text>
              <H2 mb="0" data-testid="count">
                {queue.count}
              </H2>
              {queue.overdue ? (
                <Text fontSize="sm" color="error">
                  {t('queues.overdueCount', { count: queue.overdue })}
                </Text>
              ) : null}
            </Box>
          </Link>
        ))}
      </Box>
    </>
  );
}

/** A titled row of tiles (work queues, after-sales queues, undelivered messages); nothing when there are none. */
function TileGroup({ title, tiles, testId }: { title: string; tiles: StatusCounts['queues'] | undefined; testId: string }) {
  if (!tiles?.length) return null;
  return (
    <>
      <H3>{title}</H3>
      <Box flex flexWrap="wrap" mb="xl">
        {tiles.map((tile) => (
          <Tile key={tile.label} label={tile.label} count={tile.count} url={tile.url} testId={testId} />
        ))}
      </Box>
    </>
  );
}

/**
 * G2.2 / G2.4: how many orders are in each status, each opening the order list filtered by it. The dashboard and the
 * order list's "By status" page both show it (the dashboard's handler or the resource action answers `counts`); the
 * dashboard adds the open and overdue after-sales cases (G1.6) and the undelivered customer messages (G3.2).
 */
const OrderStatusCountsComponent: React.FC<Partial<ActionProps>> = ({ action, resource }) => {
  const [counts, setCounts] = useState<StatusCounts | null>(null);
  const [reports, setReports] = useState<DashboardReports | null>(null);
  const [figures, setFigures] = useState<DashboardFigures | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { t, label } = useTexts();

  useEffect(() => {
    const request = resource && action ? api.resourceAction({ resourceId: resource.id, actionName: action.name }) : api.getDashboard();
    request
      .then(({ data }) => {
        setCounts((data as { counts?: StatusCounts }).counts ?? null);
        setReports((data as { reports?: DashboardReports }).reports ?? null);
        setFigures((data as { figures?: DashboardFigures }).figures ?? null);
      })
      .catch(() => setProblem(t('dashboardLoadFailed')));
  }, [resource?.id, action?.name]);

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!counts) return <Loader />;
  if (counts.statuses.length === 0 && !counts.afterSales?.length && !counts.notifications?.length && !counts.backups && !reports && !figures) return <Text m="xl">{t('welcome')}</Text>;
  return (
    <Box p={resource ? undefined : 'xxl'} data-testid="order-status-counts">
      {counts.backups ? <BackupTileView tile={counts.backups} /> : null}
      {figures ? <KeyFigures figures={figures} /> : null}
      {reports ? <DashboardCharts reports={reports} /> : null}
      <TileGroup title={t('workQueues')} tiles={counts.queues} testId="queue" />
      <TileGroup title={t('afterSales')} tiles={counts.afterSales} testId="after-sales-queue" />
      <TileGroup title={t('customerMessages')} tiles={counts.notifications} testId="notifications-queue" />
      {counts.statuses.length > 0 ? (
        <>
          <H3>{t('ordersByStatus', { total: counts.total })}</H3>
          <Box flex flexWrap="wrap">
            {counts.statuses.map((status) => (
              <Tile key={status.status} label={label('orderStatus', status.status)} count={status.count} url={status.url} testId={`status-${status.status}`} />
            ))}
          </Box>
        </>
      ) : null}
    </Box>
  );
};

export default OrderStatusCountsComponent;
