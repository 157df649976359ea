import React from 'react';
import { Badge, Box, H3, Text } from '@adminjs/design-system';
import type { CustomerMessage, CustomerMessages, ProcessLinks } from '../ui-contract';

/** The pieces the detail pages (order, after-sales case) are made of. */

const cell: React.CSSProperties = { textAlign: 'left', padding: '6px 8px', borderBottom: '1px solid #EEEEEF', verticalAlign: 'top' };
const head: React.CSSProperties = { ...cell, fontWeight: 'normal', color: '#898A9A' };

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

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
  return (
    <Section title="Workflow" testId={testId}>
      {process ? (
        <Text>
          Process instance {process.instanceId}
          {process.diagramUrl ? (
            <>
              {' · '}
              <a href={process.diagramUrl} data-testid="process-diagram">
                Open diagram
              </a>
            </>
          ) : null}
          {process.recordUrl ? (
            <>
              {' · '}
              <a href={process.recordUrl}>Instance record</a>
            </>
          ) : null}
        </Text>
      ) : (
        <Text>No process instance.</Text>
      )}
    </Section>
  );
}

/** A status history, newest first. */
export const HistoryTable = ({ history }: { history: Array<{ at: string; from: string | null; to: string; by: string; note: string | null }> }) => (
  <Table
    testId="history"
    columns={['When', 'From', 'To', 'By', 'Note']}
    rows={[...history].reverse().map((entry) => [when(entry.at), entry.from ?? '(new)', entry.to, entry.by, entry.note ?? ''])}
  />
);

const MESSAGE_COLOURS: Record<string, 'danger' | 'info' | 'success'> = { sent: 'success', dead: 'danger', pending: 'info', sending: 'info' };

/** Each send attempt with its outcome, when it started, how long it took and what went wrong; then when the next one is due. */
function Attempts({ message }: { message: CustomerMessage }) {
  return (
    <Box data-testid="message-attempts">
      {message.attempts.length === 0 ? <Text color="grey60">not tried yet</Text> : null}
      {message.attempts.map((attempt) => (
        <Text key={attempt.attempt} fontSize="sm">
          #{attempt.attempt} {attempt.outcome} {when(attempt.startedAt)} ({attempt.durationMs} ms){attempt.error ? `: ${attempt.error}` : ''}
        </Text>
      ))}
      {message.nextAttemptAt ? <Text fontSize="sm" color="grey60">next attempt {when(message.nextAttemptAt)}</Text> : null}
    </Box>
  );
}

/** Issue 7 item 5: what the customer was sent about the order or case, every message with every attempt and its outcome. */
export function CustomerMessagesSection({ messages, testId }: { messages: CustomerMessages | null; testId: string }) {
  if (!messages) return null;
  return (
    <Section title="Customer messages" testId={testId}>
      {messages.items.length === 0 ? (
        <Text>Nothing has been sent to the customer about this yet.</Text>
      ) : (
        <Table
          testId="customer-messages"
          columns={['Queued', 'Channel', 'Event', 'Recipient', 'Status', 'Attempts']}
          rows={messages.items.map((message) => [
            when(message.createdAt),
            message.channel,
            message.event,
            message.recipient,
            <Badge variant={MESSAGE_COLOURS[message.status] ?? 'secondary'}>{message.status}</Badge>,
            <Attempts message={message} />,
          ])}
        />
      )}
      {messages.total > messages.items.length && messages.listUrl ? (
        <Text>
          The newest {messages.items.length} of {messages.total} are shown: <a href={messages.listUrl}>all of them</a>
        </Text>
      ) : null}
    </Section>
  );
}
