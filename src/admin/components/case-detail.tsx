import React from 'react';
import type { ActionProps } from 'adminjs';
import { Badge, Box, MessageBox, Text } from '@adminjs/design-system';
import type { CaseDetail } from '../ui-contract';
import { CustomerMessagesSection, Field, HistoryTable, ProcessSection, Section, Table, TrackingNumber } from './detail-parts';
import { type Texts, useTexts } from './i18n';
import { StatusBadge } from './status-badge';

const pathText = ({ needsReturn, resolution }: CaseDetail['path'], { t }: Texts) =>
  t(needsReturn ? 'pathReturn' : 'pathNoReturn', { resolution: t(resolution === 'refund' ? 'resolutionRefund' : 'resolutionReplacement') });

const size = (bytes: number) => (bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`);

function Settlement({ detail }: { detail: CaseDetail }) {
  const { t, label, date, money } = useTexts();
  if (detail.path.resolution === 'refund') {
    return detail.refund ? (
      <Box flex flexWrap="wrap" data-testid="case-refund">
        <Field label={t('refunded')}>{money(detail.refund.amount)}</Field>
        <Field label={t('reference')}>{detail.refund.reference ?? '—'}</Field>
        <Field label={t('at')}>{date(detail.refund.refundedAt)}</Field>
      </Box>
    ) : (
      <Text data-testid="case-refund">{t('notRefunded', { amount: money(detail.refundable) })}</Text>
    );
  }
  if (detail.replacementShipments.length === 0) return <Text data-testid="replacements">{t('noReplacement')}</Text>;
  return (
    <Table
      testId="replacements"
      columns={[t('warehouse'), t('status'), t('carrier'), t('trackingNumber'), t('items')]}
      rows={detail.replacementShipments.map((shipment) => [
        shipment.warehouse,
        <StatusBadge group="shipmentStatus" code={shipment.status} />,
        shipment.carrier ? label('carrier', shipment.carrier) : '—',
        <TrackingNumber url={shipment.trackingUrl} number={shipment.trackingNumber} />,
        shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', '),
      ])}
    />
  );
}

/** G1.6: an after-sales case's page; its steps (approve, receive, QC, refund, close, ...) are the buttons above it. */
const CaseDetailComponent: React.FC<ActionProps> = ({ record }) => {
  const texts = useTexts();
  const { t, label, date } = texts;
  const detail = record?.params?.detail as CaseDetail | undefined;
  if (!detail) return <MessageBox variant="danger" message={t('caseNotLoaded')} />;
  return (
    <Box data-testid="case-detail">
      <Box variant="card" mb="xl">
        <Box flex flexWrap="wrap" alignItems="flex-start">
          <Field label={t('case')}>{detail.number}</Field>
          <Field label={t('status')}>
            <StatusBadge group="caseStatus" code={detail.status} testId="case-status" />
          </Field>
          <Field label={t('type')}>
            <span data-testid="case-type">{label('caseType', detail.type)}</span> ({pathText(detail.path, texts)})
          </Field>
          <Field label={t('order')}>
            {detail.order.url ? (
              <a href={detail.order.url} data-testid="case-order">
                {detail.order.number}
              </a>
            ) : (
              detail.order.number
            )}
          </Field>
          <Field label={t('opened')}>{t('openedBy', { when: date(detail.createdAt), who: detail.openedBy })}</Field>
          <Field label={t('owner')}>{detail.owner ?? '—'}</Field>
          <Field label={t('slaDue')}>
            <span data-testid="case-sla">
              {detail.sla.dueAt ? date(detail.sla.dueAt) : t('nothingDue')}
              {detail.sla.overdue ? (
                <>
                  {' '}
                  <Badge variant="danger">{t('overdue')}</Badge>
                </>
              ) : null}
              {detail.sla.escalatedAt ? (
                <>
                  {' '}
                  <Badge variant="danger">{t('escalated', { when: date(detail.sla.escalatedAt) })}</Badge>
                </>
              ) : null}
            </span>
          </Field>
          {detail.closedAt ? <Field label={t('closed')}>{date(detail.closedAt)}</Field> : null}
        </Box>
        <Box flex flexWrap="wrap">
          <Field label={t('reason')}>{detail.reason}</Field>
          {detail.description ? <Field label={t('description')}>{detail.description}</Field> : null}
        </Box>
      </Box>

      <Section title={t('lines')} testId="case-lines">
        <Table testId="lines" columns={[t('sku'), t('productName'), t('quantity')]} rows={detail.lines.map((line) => [line.sku, line.name, line.quantity])} />
      </Section>

      {detail.path.needsReturn ? (
        <Section title={t('returnAndQc')} testId="case-return">
          <Box flex flexWrap="wrap">
            <Field label={t('receivedAt')}>{detail.receivedWarehouse ?? t('notReceived')}</Field>
            <Field label={t('qcResult')}>
              {detail.inspection ? <StatusBadge group="qcResult" code={detail.inspection.result} testId="case-qc" /> : t('notInspected')}
            </Field>
            {detail.inspection?.notes ? <Field label={t('qcNotes')}>{detail.inspection.notes}</Field> : null}
          </Box>
        </Section>
      ) : null}

      <Section title={detail.path.resolution === 'refund' ? t('refund') : t('replacement')} testId="case-settlement">
        <Settlement detail={detail} />
      </Section>

      <Section title={t('evidence')} testId="case-attachments">
        {detail.attachments.length === 0 ? (
          <Text>{t('noImages')}</Text>
        ) : (
          <Table
            testId="attachments"
            columns={[t('file'), t('fileType'), t('size'), t('uploadedBy'), t('at')]}
            rows={detail.attachments.map((attachment) => [
              attachment.url ? (
                <a href={attachment.url} target="_blank" rel="noreferrer">
                  {attachment.fileName}
                </a>
              ) : (
                attachment.fileName
              ),
              attachment.contentType,
              size(attachment.sizeBytes),
              attachment.uploadedBy,
              date(attachment.createdAt),
            ])}
          />
        )}
      </Section>

      <Section title={t('history')} testId="case-history">
        <HistoryTable history={detail.history} group="caseStatus" />
      </Section>

      <CustomerMessagesSection messages={detail.messages} testId="case-messages" />

      <ProcessSection process={detail.process} testId="case-process" />
    </Box>
  );
};

export default CaseDetailComponent;
