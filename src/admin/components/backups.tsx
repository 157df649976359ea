import React, { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'adminjs';
import { useTexts } from './i18n';
import { Badge, Box, Button, H3, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { BACKUPS_PAGE, type BackupRowView, type BackupsPageData } from '../ui-contract';
import { api } from './api';

const size = (bytes: number | null) => {
  if (bytes === null) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

/** "5 min", "3 h", "2 d": how long ago. */
export const age = (iso: string | null, now = Date.now()) => {
  if (!iso) return '—';
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
};

const STATUS_VARIANT: Record<BackupRowView['status'], 'info' | 'primary' | 'success' | 'danger'> = { running: 'info', completed: 'primary', verified: 'success', failed: 'danger' };

/**
 * Backups (issue 13 item 8): every backup with its status, size and age; Take now, Verify, Download, Delete. What the page
 * does goes through its handler (backups.page.ts), the same service and checks as /api/backups.
 */
const Backups: React.FC = () => {
  const { translateMessage: t } = useTranslation();
  const { date } = useTexts();
  const [data, setData] = useState<BackupsPageData | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async (post?: Record<string, string>) => {
    try {
      const form = post ? new FormData() : undefined;
      if (post) for (const [key, value] of Object.entries(post)) form!.append(key, value);
      const answer = (await api.getPage({ pageName: BACKUPS_PAGE, ...(form ? { method: 'post', data: form } : {}) })).data as BackupsPageData;
      setData((current) => ({ ...answer, notice: answer.notice ?? (post ? undefined : current?.notice) }));
      setProblem(null);
    } catch {
      setProblem(t('backupsLoadFailed'));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  // while something runs, look again every 2 seconds
  const pending = data?.items.some((item) => item.status === 'running' || item.verification?.status === 'running') ?? false;
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [pending, load]);

  const act = async (op: 'take' | 'verify' | 'delete', id = '') => {
    if (op === 'delete' && !window.confirm(t('backupsConfirmDelete'))) return;
    setBusy(true);
    try {
      await load({ op, id });
    } finally {
      setBusy(false);
    }
  };

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!data) return <Loader />;
  if (!data.allowed) return <MessageBox variant="danger" message={t('backupsNotAllowed')} />;
  return (
    <Box variant="card" data-testid="backups-page">
      <Box flex justifyContent="space-between" alignItems="center" mb="lg">
        <H3 mb="0">{t('backupsTitle')}</H3>
        <Button variant="contained" disabled={busy} onClick={() => void act('take')} data-testid="backup-take">
          {t('backupsTakeNow')}
        </Button>
      </Box>
      {data.tile ? (
        <Text mb="lg" color={data.tile.stale ? 'error' : 'success'} data-testid="backup-last-verified" data-stale={String(data.tile.stale)}>
          {t('backupsLastVerified')}: {data.tile.takenAt ? `${date(data.tile.takenAt)} (${age(data.tile.takenAt)})` : t('backupsNone')}
          {data.tile.schedule ? ` · ${t('backupsSchedule')}: ${data.tile.schedule}` : ''}
        </Text>
      ) : null}
      {data.notice ? <MessageBox variant={data.notice.type === 'success' ? 'success' : 'danger'} message={data.notice.message} mb="lg" data-testid="backup-notice" /> : null}
      {data.items.length === 0 ? (
        <Text>{t('backupsEmpty')}</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>{t('backupsStarted')}</TableCell>
              <TableCell>{t('backupsAge')}</TableCell>
              <TableCell>{t('backupsKind')}</TableCell>
              <TableCell>{t('backupsStatus')}</TableCell>
              <TableCell>{t('backupsSize')}</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {data.items.map((item) => {
              const verifying = item.verification?.status === 'running';
              const hasFile = item.sha256 !== null && item.status !== 'running';
              return (
                <TableRow key={item.id} data-testid="backup-row" data-id={item.id} data-status={item.status}>
                  <TableCell>{date(item.startedAt)}</TableCell>
                  <TableCell>{age(item.startedAt)}</TableCell>
                  <TableCell>{t(item.kind === 'manual' ? 'backupsKindManual' : 'backupsKindScheduled')}</TableCell>
                  <TableCell>
                    <Badge variant={STATUS_VARIANT[item.status]} data-testid="backup-status">
                      {t(`backupsStatus_${item.status}`)}
                    </Badge>
                    {verifying ? <Text fontSize="sm">{t('backupsVerifying')}</Text> : null}
                    {item.encrypted ? <Text fontSize="sm">{t('backupsEncrypted')}</Text> : null}
                    {item.error ? (
                      <Text fontSize="sm" color="error" data-testid="backup-error">
                        {item.error}
                      </Text>
                    ) : null}
                  </TableCell>
                  <TableCell>{size(item.sizeBytes)}</TableCell>
                  <TableCell>
                    <Button size="sm" mr="sm" disabled={busy || !hasFile || verifying} onClick={() => void act('verify', item.id)} data-testid="backup-verify">
                      {t('backupsVerify')}
                    </Button>
                    {hasFile ? (
                      <Button as="a" size="sm" mr="sm" href={`/admin/backups/${item.id}/download`} data-testid="backup-download">
                        {t('backupsDownload')}
                      </Button>
                    ) : null}
                    <Button size="sm" variant="danger" disabled={busy || item.status === 'running' || verifying} onClick={() => void act('delete', item.id)} data-testid="backup-delete">
                      {t('backupsDelete')}
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </Box>
  );
};

export default Backups;
