import React, { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, Box, Button, H3, Input, Loader, MessageBox, Select, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { EXCEPTION_QUEUES_PAGE, type ExceptionQueueItemRow, type ExceptionQueueKind, type ExceptionQueuesPageData } from '../ui-contract';
import { api } from './api';
import { useTexts } from './i18n';

const KINDS: ExceptionQueueKind[] = ['payment', 'address', 'stock', 'logistics'];
const CHANNELS = ['phone', 'sms', 'email', 'im', 'carrier', 'other'];
/** The order's own action forms that resolve an item (the same services as the API). */
const ORDER_ACTIONS: Record<string, string> = { amend: 'amend', recordPayment: 'recordPayment', allocate: 'allocate', cancel: 'cancel', approve: 'show' };

const kindFromUrl = (): ExceptionQueueKind => {
  const kind = new URLSearchParams(window.location.search).get('kind');
  return (KINDS as string[]).includes(kind ?? '') ? (kind as ExceptionQueueKind) : 'payment';
};

/** "35 分钟", "3 小时", "2 天": how long an item has waited. */
function useAge() {
  const { t } = useTexts();
  return (minutes: number) => (minutes < 60 ? t('queues.minutes', { n: minutes }) : minutes < 48 * 60 ? t('queues.hours', { n: Math.floor(minutes / 60) }) : t('queues.days', { n: Math.floor(minutes / 1440) }));
}

/**
 * 异常处理 (G2.6): one tab per queue with its count, the items longest waiting first with owner (负责人), age, SLA due time and
 * the last contact; claim / release, contact noted, payment request, restock date and resolve alert act here (handler:
 * exception-queues-page.ts), amend / record payment / allocate / cancel open the order's own forms.
 */
const ExceptionQueues: React.FC = () => {
  const { t, label, date, money } = useTexts();
  const age = useAge();
  const [kind, setKind] = useState<ExceptionQueueKind>(kindFromUrl);
  const [data, setData] = useState<ExceptionQueuesPageData | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [contactFor, setContactFor] = useState<string | null>(null);
  const [contact, setContact] = useState({ channel: 'phone', note: '' });
  const [restock, setRestock] = useState<Record<string, string>>({});

  const load = useCallback(async (which: ExceptionQueueKind, post?: Record<string, string>) => {
    try {
      const form = post ? new FormData() : undefined;
      if (post) for (const [key, value] of Object.entries({ ...post, kind: which })) form!.append(key, value);
      const answer = (await api.getPage({ pageName: EXCEPTION_QUEUES_PAGE, params: { kind: which }, ...(form ? { method: 'post', data: form } : {}) })).data as ExceptionQueuesPageData;
      setData(answer);
      setProblem(null);
    } catch {
      setProblem(t('queues.loadFailed'));
    }
  }, []);

  useEffect(() => {
    void load(kind);
    const url = new URL(window.location.href);
    url.searchParams.set('kind', kind);
    window.history.replaceState(window.history.state, '', url.toString());
  }, [kind, load]);

  const act = async (op: string, item: ExceptionQueueItemRow, extra: Record<string, string> = {}) => {
    setBusy(true);
    try {
      await load(kind, { op, ref: item.ref, ...extra });
      if (op === 'contact') {
        setContactFor(null);
        setContact({ channel: 'phone', note: '' });
      }
    } finally {
      setBusy(false);
    }
  };

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!data) return <Loader />;
  if (!data.allowed) return <MessageBox variant="danger" message={t('queues.notAllowed')} />;
  const noticeText = data.notice ? (data.notice.type === 'success' ? t(`queues.done.${data.notice.message}`) : data.notice.message) : null;

  return (
    <Box variant="card" data-testid="exception-queues" data-kind={data.kind}>
      <H3>{t('queues.title')}</H3>
      <Text color="grey60" mb="lg">
        {t('queues.intro')}
      </Text>
      <Box flex flexWrap="wrap" mb="lg">
        {KINDS.map((each) => {
          const count = data.counts.find((row) => row.kind === each);
          return (
            <Button key={each} mr="default" mb="default" variant={each === kind ? 'contained' : 'outlined'} data-testid={`queue-tab-${each}`} onClick={() => setKind(each)}>
              {t(`queues.kinds.${each}`)} <Badge ml="sm" variant={count?.overdue ? 'danger' : 'default'} data-testid="queue-count">{count?.count ?? 0}</Badge>
            </Button>
          );
        })}
      </Box>
      {noticeText ? <MessageBox mb="lg" variant={data.notice!.type === 'success' ? 'success' : 'danger'} message={noticeText} data-testid="queue-notice" /> : null}
      {data.items.length === 0 ? (
        <Text data-testid="queue-empty">{t('queues.empty')}</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>{t('queues.columns.order')}</TableCell>
              <TableCell>{t('queues.columns.reason')}</TableCell>
              <TableCell>{t('queues.columns.owner')}</TableCell>
              <TableCell>{t('queues.columns.age')}</TableCell>
              <TableCell>{t('queues.columns.slaDue')}</TableCell>
              <TableCell>{t('queues.columns.lastContact')}</TableCell>
              <TableCell>{t('queues.columns.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.items.map((item) => (
              <TableRow key={item.ref} data-testid="queue-item" data-ref={item.ref} data-order={item.order.number}>
                <TableCell>
                  <Link to={`/admin/resources/Order/records/${item.order.id}/show`} style={{ whiteSpace: 'nowrap' }}>
                    {item.order.number}
                  </Link>
                  <Text fontSize="sm" color="grey60">
                    {item.order.customerName} · {item.order.customerPhone}
                  </Text>
                  <Text fontSize="sm" color="grey60">
                    {label('orderStatus', item.order.status)} · {money(item.order.grandTotal)}
                    {item.order.paymentAmount && item.reasons.includes('amount_short') ? ` · ${t('queues.paid', { amount: money(item.order.paymentAmount) })}` : ''}
                  </Text>
                </TableCell>
                <TableCell>
                  {item.reasons.map((reason) => (
                    <Badge key={reason} mr="sm" mb="sm" variant="danger" data-testid="queue-reason">
                      {t(`queues.reasons.${reason}`)}
                    </Badge>
                  ))}
                  {item.stock?.sku ? (
                    <Text fontSize="sm" data-testid="queue-shortage">
                      {t('queues.shortage', { sku: item.stock.sku, n: item.stock.shortfall ?? 0 })}
                      {item.stock.restockExpectedOn ? ` · ${t('queues.restockOn', { date: item.stock.restockExpectedOn })}` : ''}
                    </Text>
                  ) : null}
                  {item.shipment?.trackingNumber ? (
                    <Text fontSize="sm">
                      {label('carrier', item.shipment.carrier)} {item.shipment.trackingUrl ? <a href={item.shipment.trackingUrl} target="_blank" rel="noreferrer">{item.shipment.trackingNumber}</a> : item.shipment.trackingNumber}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell data-testid="queue-owner" style={{ whiteSpace: 'nowrap' }}>{item.owner ? item.owner.name : <Text color="grey60">{t('queues.unassigned')}</Text>}</TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{age(item.ageMinutes)}</TableCell>
                <TableCell>
                  <Text color={item.overdue ? 'error' : undefined} data-testid="queue-sla" data-overdue={String(item.overdue)}>
                    {date(item.slaDueAt)}
                    {item.overdue ? ` · ${t('queues.overdue')}` : ''}
                  </Text>
                </TableCell>
                <TableCell>
                  {item.lastContact ? (
                    <Text fontSize="sm" data-testid="queue-last-contact">
                      {t(`queues.channels.${item.lastContact.channel}`)} · {item.lastContact.note}
                      <br />
                      <Text as="span" color="grey60">
                        {item.lastContact.by} · {date(item.lastContact.at)}
                      </Text>
                    </Text>
                  ) : (
                    '—'
                  )}
                </TableCell>
                <TableCell>
                  {data.canWork ? (
                    <Box flex flexWrap="wrap" style={{ gap: 4, maxWidth: 360 }}>
                      {!item.owner || item.owner.id !== data.me ? (
                        <Button size="sm" disabled={busy || Boolean(item.owner)} data-testid="queue-claim" onClick={() => act('claim', item)}>
                          {t('queues.actions.claim')}
                        </Button>
                      ) : (
                        <Button size="sm" variant="outlined" disabled={busy} data-testid="queue-release" onClick={() => act('release', item)}>
                          {t('queues.actions.release')}
                        </Button>
                      )}
                      {item.actions.includes('contact') ? (
                        <Button size="sm" variant="outlined" disabled={busy} data-testid="queue-contact" onClick={() => setContactFor(contactFor === item.ref ? null : item.ref)}>
                          {t('queues.actions.contact')}
                        </Button>
                      ) : null}
                      {item.actions.includes('paymentRequest') ? (
                        <Button size="sm" variant="outlined" disabled={busy} data-testid="queue-payment-request" onClick={() => act('paymentRequest', item)}>
                          {t('queues.actions.paymentRequest')}
                        </Button>
                      ) : null}
                      {item.actions.includes('resolveAlert') ? (
                        <Button size="sm" variant="outlined" disabled={busy} data-testid="queue-resolve" onClick={() => act('resolveAlert', item)}>
                          {t('queues.actions.resolveAlert')}
                        </Button>
                      ) : null}
                      {item.actions.filter((action) => action in ORDER_ACTIONS).map((action) => (
                        <Link key={action} to={`/admin/resources/Order/records/${item.order.id}/${ORDER_ACTIONS[action]}`} data-testid={`queue-${action}`}>
                          <Button size="sm" variant={action === 'cancel' ? 'danger' : 'outlined'} type="button">
                            {t(`queues.actions.${action}`)}
                          </Button>
                        </Link>
                      ))}
                      {item.actions.includes('restockDate') ? (
                        <Box flex alignItems="center" style={{ gap: 4 }}>
                          <Input type="date" value={restock[item.ref] ?? item.stock?.restockExpectedOn ?? ''} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setRestock({ ...restock, [item.ref]: event.target.value })} data-testid="queue-restock-input" style={{ width: 140 }} />
                          <Button size="sm" variant="outlined" disabled={busy} data-testid="queue-restock" onClick={() => act('restockDate', item, { date: restock[item.ref] ?? '' })}>
                            {t('queues.actions.restockDate')}
                          </Button>
                        </Box>
                      ) : null}
                      {contactFor === item.ref ? (
                        <Box mt="sm" style={{ width: '100%' }} data-testid="queue-contact-form">
                          <Select
                            value={{ value: contact.channel, label: t(`queues.channels.${contact.channel}`) }}
                            options={CHANNELS.map((channel) => ({ value: channel, label: t(`queues.channels.${channel}`) }))}
                            onChange={(selected: { value: string } | null) => setContact({ ...contact, channel: selected?.value ?? 'phone' })}
                          />
                          <Input mt="sm" width={1} placeholder={t('queues.notePlaceholder')} value={contact.note} data-testid="queue-contact-note" onChange={(event: React.ChangeEvent<HTMLInputElement>) => setContact({ ...contact, note: event.target.value })} />
                          <Button mt="sm" size="sm" disabled={busy || !contact.note.trim()} data-testid="queue-contact-save" onClick={() => act('contact', item, contact)}>
                            {t('queues.actions.saveContact')}
                          </Button>
                        </Box>
                      ) : null}
                    </Box>
                  ) : (
                    <Text color="grey60">{t('queues.readOnly')}</Text>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {data.total > data.items.length ? (
        <Text mt="lg" color="grey60">
          {t('queues.more', { shown: data.items.length, total: data.total })}
        </Text>
      ) : null}
    </Box>
  );
};

export default ExceptionQueues;
