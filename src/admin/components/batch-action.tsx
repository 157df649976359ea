import React, { useEffect, useState } from 'react';
import { type ActionProps, type RecordJSON, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';
import { Box, Button, H3, Label, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text, TextArea } from '@adminjs/design-system';
import type { BatchItemResult } from '../../orders/order-batch-result';
import type { BatchPage } from '../lists-contract';
import { api } from './api';
import { useTexts } from './i18n';
import { StatusBadge } from './status-badge';

const selectStyle: React.CSSProperties = { width: '100%', padding: '8px', border: '1px solid #C0C0CA', borderRadius: 2, background: 'white' };
const OUTCOME_COLOURS: Record<BatchItemResult['outcome'], string> = { done: '#007c4f', skipped: '#8a6d00', failed: '#c20012' };

/**
 * A batch action on the order list's selection (issue 14 item 6): the selected orders, the action's few fields (the
 * carrier and tracking numbers to ship, the warehouse to allocate from, the document to print), one button, then what
 * happened to each order (done, skipped with the status it is in, failed with why) and the way back to the list, which
 * reads the orders again.
 */
const BatchAction: React.FC<ActionProps> = ({ resource, action, records: given }) => {
  const { t, label } = useTexts();
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [page, setPage] = useState<BatchPage | null>(null);
  const [records, setRecords] = useState<RecordJSON[]>(given ?? []);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const recordIds = (given ?? []).map((record) => record.id);

  useEffect(() => {
    api.bulkAction({ resourceId: resource.id, actionName: action.name, recordIds }).then(({ data }) => {
      const answer = data as unknown as { batch: BatchPage; records: RecordJSON[] };
      setPage(answer.batch);
      setRecords(answer.records);
      setValues(Object.fromEntries(answer.batch.fields.map((field) => [field.name, answer.batch.values[field.name] ?? field.options?.[0]?.value ?? ''])));
    });
  }, [action.name, recordIds.join(',')]);

  if (!page) return <Loader />;

  const run = async () => {
    setBusy(true);
    setErrors({});
    try {
      const form = new FormData();
      for (const [name, value] of Object.entries(values)) form.set(name, value);
      const { data } = await api.bulkAction({ resourceId: resource.id, actionName: action.name, recordIds, data: form });
      const answer = data as unknown as { batch: BatchPage; records: RecordJSON[]; fieldErrors?: Record<string, string>; notice?: Parameters<typeof addNotice>[0] };
      if (answer.notice) addNotice(answer.notice);
      setErrors(answer.fieldErrors ?? {});
      setPage(answer.batch);
      setRecords(answer.records);
    } finally {
      setBusy(false);
    }
  };

  const back = () => navigate(`${page.listUrl}?refresh=true`);
  const result = page.result;
  const outcomes = new Map((result?.items ?? []).map((item) => [item.id, item]));
  const documentUrl = page.downloadUrl ? `${page.downloadUrl}&document=${encodeURIComponent(values.document ?? 'label')}` : undefined;

  return (
    <Box variant="container" data-testid="batch-action" data-action={page.action}>
      <H3>{t(`lists.batch.${page.action}`, { count: records.length })}</H3>
      {result ? (
        <MessageBox
          mb="lg"
          variant={result.failed ? 'danger' : result.skipped ? 'info' : 'success'}
          data-testid="batch-summary"
          message={t('lists.batchSummary', { done: result.done, skipped: result.skipped, failed: result.failed, action: t(`lists.done.${page.action}`) })}
        />
      ) : (
        <Text mb="lg" color="grey60">
          {t(`lists.intro.${page.action}`)}
        </Text>
      )}
      {!result
        ? page.fields.map((field) => (
            <Box key={field.name} mb="lg" style={{ maxWidth: 560 }}>
              <Label htmlFor={field.name} required={field.required}>
                {t(`lists.field.${field.labelKey}`)}
              </Label>
              {field.kind === 'select' ? (
                <select id={field.name} name={field.name} style={selectStyle} value={values[field.name] ?? ''} onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}>
                  {(field.options ?? []).map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.value === '' ? t('lists.field.rulesChoose') : field.name === 'carrier' ? label('carrier', option.value) : field.name === 'document' ? t(`lists.document.${option.value}`) : option.label}
                    </option>
                  ))}
                </select>
              ) : (
                <TextArea
                  id={field.name}
                  name={field.name}
                  width={1}
                  rows={Math.min(12, Math.max(4, records.length))}
                  value={values[field.name] ?? ''}
                  placeholder={records.slice(0, 2).map((record) => `${record.params.number} SF1234567890`).join('\n')}
                  onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setValues({ ...values, [field.name]: event.target.value })}
                />
              )}
              {field.helpKey ? (
                <Text fontSize="sm" color="grey60" mt="xs">
                  {t(`lists.field.${field.helpKey}`)}
                </Text>
              ) : null}
              {errors[field.name] ? (
                <Text color="error" fontSize="sm" data-testid="field-error">
                  {errors[field.name]}
                </Text>
              ) : null}
            </Box>
          ))
        : null}
      <Box flex mb="xl">
        {!result && page.action !== 'print' ? (
          <Button variant="contained" mr="md" disabled={busy} onClick={run} data-testid="batch-run">
            {busy ? t('lists.working') : t(`lists.run.${page.action}`, { count: records.length })}
          </Button>
        ) : null}
        {documentUrl ? (
          <Button as="a" href={documentUrl} target="_blank" rel="noopener" variant="contained" mr="md" data-testid="batch-print">
            {t('lists.run.print', { count: records.length })}
          </Button>
        ) : null}
        <Button variant="outlined" onClick={back} data-testid="batch-back">
          {t('lists.backToList')}
        </Button>
      </Box>
      <Table data-testid="batch-orders">
        <TableHead>
          <TableRow>
            <TableCell>{t('lists.col.number')}</TableCell>
            <TableCell>{t('lists.col.customer')}</TableCell>
            <TableCell>{t('lists.col.status')}</TableCell>
            {result ? <TableCell>{t('lists.col.outcome')}</TableCell> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {records.map((record) => {
            const outcome = outcomes.get(String(record.id));
            const status = outcome?.status ?? String(record.params.status);
            return (
              <TableRow key={record.id} data-testid="batch-row" data-number={record.params.number} data-outcome={outcome?.outcome ?? ''}>
                <TableCell>{record.params.number}</TableCell>
                <TableCell>{record.params.customerName}</TableCell>
                <TableCell>
                  <StatusBadge group="orderStatus" code={status} testId="batch-status" />
                </TableCell>
                {result ? (
                  <TableCell>
                    <span style={{ color: outcome ? OUTCOME_COLOURS[outcome.outcome] : undefined, fontWeight: 600 }}>{outcome ? t(`lists.outcome.${outcome.outcome}`) : '—'}</span>
                    {outcome && outcome.outcome !== 'done' ? (
                      <Text as="span" ml="sm" fontSize="sm" color="grey60">
                        {outcome.outcome === 'skipped' ? t('lists.skippedStatus', { status: label('orderStatus', outcome.status ?? '') }) : outcome.message}
                      </Text>
                    ) : null}
                  </TableCell>
                ) : null}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
};

export default BatchAction;
