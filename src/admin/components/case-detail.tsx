import React from 'react';
import type { ActionProps } from 'adminjs';
import { Badge, Box, MessageBox, Text } from '@adminjs/design-system';
import type { CaseDetail } from '../ui-contract';
import { CustomerMessagesSection, Field, HistoryTable, ProcessSection, Section, Table, TrackingNumber, when } from './detail-parts';

/** Attention colours: waiting for a person is amber, refused is red, settled is green. */
function statusColour(status: string): 'danger' | 'info' | 'success' | 'secondary' {
  if (status === 'rejected') return 'danger';
  if (['requested', 'approved', 'received', 'inspected'].includes(status)) return 'info';
  if (['refunded', 'replacement_shipped'].includes(status)) return 'success';
  return 'secondary';
}

const pathText = ({ needsReturn, resolution }: CaseDetail['path']) => `${needsReturn ? 'goods come back, then' : 'nothing comes back;'} ${resolution}`;

const size = (bytes: number) => (bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`);

function Settlement({ detail }: { detail: CaseDetail }) {
  if (detail.path.resolution === 'refund') {
    return detail.refund ? (
      <Box flex flexWrap="wrap" data-testid="case-refund">
        <Field label="Refunded">{detail.refund.amount}</Field>
        <Field label="Reference">{detail.refund.reference ?? '—'}</Field>
        <Field label="At">{when(detail.refund.refundedAt)}</Field>
      </Box>
    ) : (
      <Text data-testid="case-refund">Not refunded yet; {detail.refundable} can still be refunded on the order.</Text>
    );
  }
  if (detail.replacementShipments.length === 0) return <Text data-testid="replacements">No replacement shipment yet.</Text>;
  return (
    <Table
      testId="replacements"
      columns={['Warehouse', 'Status', 'Carrier', 'Tracking number', 'Items']}
      rows={detail.replacementShipments.map((shipment) => [
        shipment.warehouse,
        <Badge variant={shipment.status === 'cancelled' ? 'danger' : 'secondary'}>{shipment.status}</Badge>,
        shipment.carrier ?? '—',
        <TrackingNumber url={shipment.trackingUrl} number={shipment.trackingNumber} />,
        shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', '),
      ])}
    />
  );
}

/** G1.6: an after-sales case's page; its steps (approve, receive, QC, refund, close, ...) are the buttons above it. */
const CaseDetailComponent: React.FC<ActionProps> = ({ record }) => {
  const detail = record?.params?.detail as CaseDetail | undefined;
  if (!detail) return <MessageBox variant="danger" message="This case could not be loaded" />;
  return (
    <Box data-testid="case-detail">
      <Box variant="card" mb="xl">
        <Box flex flexWrap="wrap" alignItems="flex-start">
          <Field label="Case">{detail.number}</Field>
          <Field label="Status">
            <Badge variant={statusColour(detail.status)} data-testid="case-status">
              {detail.status}
            </Badge>
          </Field>
          <Field label="Type">
            {detail.type} ({pathText(detail.path)})
          </Field>
          <Field label="Order">
            {detail.order.url ? (
              <a href={detail.order.url} data-testid="case-order">
                {detail.order.number}
              </a>
            ) : (
              detail.order.number
            )}
          </Field>
          <Field label="Opened">
            {when(detail.createdAt)} by {detail.openedBy}
          </Field>
          <Field label="Owner">{detail.owner ?? '—'}</Field>
          <Field label="SLA due">
            <span data-testid="case-sla">
              {detail.sla.dueAt ? when(detail.sla.dueAt) : 'nothing due'}
              {detail.sla.overdue ? (
                <>
                  {' '}
                  <Badge variant="danger">overdue</Badge>
                </>
              ) : null}
              {detail.sla.escalatedAt ? (
                <>
                  {' '}
                  <Badge variant="danger">escalated {when(detail.sla.escalatedAt)}</Badge>
                </>
              ) : null}
            </span>
          </Field>
          {detail.closedAt ? <Field label="Closed">{when(detail.closedAt)}</Field> : null}
        </Box>
        <Box flex flexWrap="wrap">
          <Field label="Reason">{detail.reason}</Field>
          {detail.description ? <Field label="Description">{detail.description}</Field> : null}
        </Box>
      </Box>

      <Section title="Lines" testId="case-lines">
        <Table testId="lines" columns={['SKU', 'Name', 'Quantity']} rows={detail.lines.map((line) => [line.sku, line.name, line.quantity])} />
      </Section>

      {detail.path.needsReturn ? (
        <Section title="Return and QC" testId="case-return">
          <Box flex flexWrap="wrap">
            <Field label="Received at">{detail.receivedWarehouse ?? 'not received yet'}</Field>
            <Field label="QC result">
              {detail.inspection ? (
                <Badge variant={detail.inspection.result === 'pass' ? 'success' : 'danger'} data-testid="case-qc">
                  {detail.inspection.result}
                </Badge>
              ) : (
                'not inspected yet'
              )}
            </Field>
            {detail.inspection?.notes ? <Field label="QC notes">{detail.inspection.notes}</Field> : null}
          </Box>
        </Section>
      ) : null}

      <Section title={detail.path.resolution === 'refund' ? 'Refund' : 'Replacement'} testId="case-settlement">
        <Settlement detail={detail} />
      </Section>

      <Section title="Evidence" testId="case-attachments">
        {detail.attachments.length === 0 ? (
          <Text>No images attached.</Text>
        ) : (
          <Table
            testId="attachments"
            columns={['File', 'Type', 'Size', 'Uploaded by', 'At']}
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
              when(attachment.createdAt),
            ])}
          />
        )}
      </Section>

      <Section title="History" testId="case-history">
        <HistoryTable history={detail.history} />
      </Section>

      <CustomerMessagesSection messages={detail.messages} testId="case-messages" />

      <ProcessSection process={detail.process} testId="case-process" />
    </Box>
  );
};

export default CaseDetailComponent;
