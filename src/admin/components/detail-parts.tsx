import React from 'react';
import { Box, H3, Text } from '@adminjs/design-system';
import type { CustomerMessage, CustomerMessages, ProcessLinks } from '../ui-contract';
import { useTexts } from './i18n';
import { StatusBadge } from './status-badge';

/** The pieces the detail pages (order, after-sales case) are made of; every word in the user's language (issue 14). */

const cell: React.CSSProperties = { textAlign: 'left', padding: '6px 8px', borderBottom: '1px solid #EEEEEF', verticalAlign: 'top' };
const head: React.CSSProperties = { ...cell, fontWeight: 'normal', color: '#898A9A' };

export function Table({ columns, rows, testId }: { columns: string[]; rows: React.ReactNode[][]; testId: string }) {
  return (
    <table style={{ width: '100%', borderCollapse: 'collapse', marginBottom: 16 }} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} style={head}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={index}>
            {row.map((value, column) => (
              <td key={column} style={cell}>
                {value}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  return (
    <Box variant="card" mb="xl" data-testid={testId}>
      <H3>{title}</H3>
      {children}
    </Box>
  );
}

export const Field = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Box mr="xxl" mb="lg">
    <Text fontSize="sm" color="grey60">
      {label}
    </Text>
    <Text>{children}</Text>
  </Box>
);

/** A carrier's tracking number, linking to its tracking page where there is one. */
export const TrackingNumber = ({ url, number }: { url: string | null; number: string | null }) =>
  url ? (
    <a href={url} target="_blank" rel="noreferrer">
      {number}
    </a>
  ) : (
    <>{number ?? '—'}</>
  );

/** The record's process instance: "Open diagram" shows it on its diagram with its current step marked. */
export function ProcessSection({ process, testId }: { process: ProcessLinks | null; testId: string }) {
  const { t } = useTexts();
  return (
    <Section title={t('workflow')} testId={testId}>
      {process ? (
        <Text>
          {t('processInstance', { id: process.instanceId })}
          {process.diagramUrl ? (
            <>
              {' · '}
              <a href={process.diagramUrl} data-testid="process-diagram">
                {t('openDiagram')}
              </a>
            </>
          ) : null}
          {process.recordUrl ? (
            <>
              {' · '}
              <a href={process.recordUrl}>{t('instanceRecord')}</a>
            </>
          ) : null}
        </Text>
      ) : (
        <Text>{t('noProcess')}</Text>
      )}
    </Section>
  );
}

/** A status history, newest first; `group` names the statuses' word list (orderStatus, caseStatus). */
export function HistoryTable({ history, group }: { history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }>; group: string }) {
  const { t, date } = useTexts();
  return (
    <Table
      testId="history"
      columns={[t('when'), t('from'), t('to'), t('by'), t('note')]}
      rows={[...history]
        .reverse()
        .map((entry) => [
          date(entry.at),
          entry.from ? <StatusBadge group={group} code={entry.from} /> : t('newRecord'),
          <StatusBadge group={group} code={entry.to} />,
          entry.by,
          entry.note ?? '',
        ])}
    />
  );
}

/** Each send attempt with its outcome, when it started, how long it took and what went wrong; then when the next one is due. */
function Attempts({ message }: { message: CustomerMessage }) {
  const { t, label, date } = useTexts();
  return (
    <Box data-testid="message-attempts">
      {message.attempts.length === 0 ? <Text color="grey60">{t('notTriedYet')}</Text> : null}
      {message.attempts.map((attempt) => (
        <Text key={attempt.attempt} fontSize="sm">
          #{attempt.attempt} {label('attemptOutcome', attempt.outcome)} {date(attempt.startedAt)} ({attempt.durationMs} ms){attempt.error ? `: ${attempt.error}` : ''}
        </Text>
      ))}
      {message.nextAttemptAt ? (
        <Text fontSize="sm" color="grey60">
          {t('nextAttempt', { when: date(message.nextAttemptAt) })}
        </Text>
      ) : null}
    </Box>
  );
}

/** Issue 7 item 5: what the customer was sent about the order or case, every message with every attempt and its outcome. */
export function CustomerMessagesSection({ messages, testId }: { messages: CustomerMessages | null; testId: string }) {
  const { t, label, date } = useTexts();
  if (!messages) return null;
  return (
    <Section title={t('customerMessages')} testId={testId}>
      {messages.items.length === 0 ? (
        <Text>{t('nothingSent')}</Text>
      ) : (
        <Table
          testId="customer-messages"
          columns={[t('queued'), t('channel'), t('event'), t('recipient'), t('status'), t('attempts')]}
          rows={messages.items.map((message) => [
            date(message.createdAt),
            label('messageChannel', message.channel),
            message.event,
            message.recipient,
            <StatusBadge group="messageStatus" code={message.status} />,
            <Attempts message={message} />,
          ])}
        />
      )}
      {messages.total > messages.items.length && messages.listUrl ? (
        <Text>
          {t('newestShown', { shown: messages.items.length, total: messages.total })} <a href={messages.listUrl}>{t('allOfThem')}</a>
        </Text>
      ) : null}
    </Section>
  );
}
