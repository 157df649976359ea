import React, { useEffect, useState } from 'react';
import { useNotice } from 'adminjs';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { Box, Button, H2, H3, Input, Label, Loader, MessageBox, Pagination, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import type { CustomersPageData } from '../lists-contract';
import { api } from './api';
import { useTexts } from './i18n';
import { StatusBadge } from './status-badge';

const PAGE = 'customers';
const orderUrl = (id: string) => `/admin/resources/Order/records/${id}/show`;
const caseUrl = (id: string) => `/admin/resources/AfterSalesCase/records/${id}/show`;

/** A figure card; `small` for a date, which as a heading wraps into three lines in the card's width. */
function Figure({ label, value, testId, small }: { label: string; value: string | number; testId: string; small?: boolean }) {
  return (
    <Box variant="card" mr="lg" mb="lg" width={small ? 240 : 200}>
      <Text fontSize="sm" color="grey60">
        {label}
      </Text>
      {small ? (
        <Text mt="lg" fontSize="lg" data-testid={testId} style={{ whiteSpace: 'nowrap' }}>
          {value}
        </Text>
      ) : (
        <H3 mb="0" data-testid={testId}>
          {value}
        </H3>
      )}
    </Box>
  );
}

/**
 * 客户 / Customers (issue 14 item 7): the list (search by name, phone or email) and one customer's page — figures, the
 * contact correction for their open orders, their orders and after-sales cases. `?id=` opens a customer.
 */
const CustomersPage: React.FC = () => {
  const { t, label, date, money } = useTexts();
  const location = useLocation();
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [data, setData] = useState<CustomersPageData | null>(null);
  const [q, setQ] = useState('');
  const [contact, setContact] = useState({ name: '', phone: '', email: '' });
  const [busy, setBusy] = useState(false);
  const params = new URLSearchParams(location.search);

  useEffect(() => {
    setData(null);
    setQ(params.get('q') ?? '');
    api.getPage({ pageName: PAGE, params: Object.fromEntries(params) }).then(({ data: answer }) => {
      const page = answer as CustomersPageData;
      setData(page);
      if (page.customer) setContact({ name: page.customer.name, phone: page.customer.phone, email: page.customer.emails[0] ?? '' });
    });
  }, [location.search]);

  if (!data) return <Loader />;
  if (data.refused) return <MessageBox variant="danger" message={t('lists.customersRefused')} />;

  const open = (search: Record<string, string>) => navigate({ pathname: location.pathname, search: new URLSearchParams(search).toString() });

  const amend = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!data.customer) return;
    setBusy(true);
    try {
      const form = new FormData();
      form.set('id', data.customer.id);
      for (const [name, value] of Object.entries(contact)) form.set(name, value);
      const answer = (await api.getPage({ pageName: PAGE, method: 'post', data: form })).data as CustomersPageData & { notice?: Parameters<typeof addNotice>[0] };
      if (answer.notice) addNotice(answer.notice);
      setData(answer);
      if (answer.customer && answer.customer.id !== data.customer.id) open({ id: answer.customer.id });
    } finally {
      setBusy(false);
    }
  };

  const customer = data.customer;
  if (customer) {
    return (
      <Box variant="container" data-testid="customer-detail">
        <Box flex alignItems="center" mb="lg">
          <Button variant="text" mr="md" onClick={() => navigate(-1)}>
            ← {t('lists.customersBack')}
          </Button>
          <H2 mb="0" data-testid="customer-name">
            {customer.name}
          </H2>
          <Text ml="lg" color="grey60" data-testid="customer-phone">
            {customer.phone}
            {customer.emails.length ? ` · ${customer.emails.join(', ')}` : ''}
          </Text>
        </Box>
        <Box flex flexWrap="wrap">
          <Figure label={t('lists.customerOrders')} value={customer.orders} testId="customer-orders" />
          <Figure label={t('lists.customerSpend')} value={money(customer.spend)} testId="customer-spend" />
          <Figure label={t('lists.customerLastOrder')} value={date(customer.lastOrderAt)} testId="customer-last-order" small />
          <Figure label={t('lists.customerFirstOrder')} value={date(customer.firstOrderAt)} testId="customer-first-order" small />
        </Box>
        <Text fontSize="sm" color="grey60" mb="xl">
          {t('lists.customerSpendHelp')}
        </Text>

        {data.mayAmend ? (
          <Box as="form" variant="card" mb="xl" onSubmit={amend} data-testid="contact-form" style={{ maxWidth: 720 }}>
            <H3>{t('lists.contactTitle')}</H3>
            <Text fontSize="sm" color="grey60" mb="lg">
              {t('lists.contactIntro', { count: customer.openOrders })}
            </Text>
            {(['name', 'phone', 'email'] as const).map((field) => (
              <Box key={field} mb="md">
                <Label htmlFor={`contact-${field}`} required={field !== 'email'}>
                  {t(`lists.contact.${field}`)}
                </Label>
                <Input id={`contact-${field}`} name={field} width={1} value={contact[field]} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setContact({ ...contact, [field]: event.target.value })} />
                {data.fieldErrors?.[field] ? (
                  <Text color="error" fontSize="sm" data-testid="field-error">
                    {data.fieldErrors[field]}
                  </Text>
                ) : null}
              </Box>
            ))}
            <Button type="submit" variant="contained" disabled={busy || customer.openOrders === 0} data-testid="contact-submit">
              {t('lists.contactSubmit', { count: customer.openOrders })}
            </Button>
          </Box>
        ) : null}

        <H3>{t('lists.customerOrderList')}</H3>
        <Table mb="xl" data-testid="customer-order-list">
          <TableHead>
            <TableRow>
              <TableCell>{t('lists.col.number')}</TableCell>
              <TableCell>{t('lists.col.status')}</TableCell>
              <TableCell>{t('lists.col.payment')}</TableCell>
              <TableCell>{t('lists.col.total')}</TableCell>
              <TableCell>{t('lists.col.placedAt')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {customer.orderList.map((order) => (
              <TableRow key={order.id} data-testid="customer-order" data-number={order.number}>
                <TableCell>
                  <Link to={orderUrl(order.id)}>{order.number}</Link>
                </TableCell>
                <TableCell>
                  <StatusBadge group="orderStatus" code={order.status} />
                </TableCell>
                <TableCell>{label('paymentStatus', order.paymentStatus)}</TableCell>
                <TableCell>{money(order.grandTotal)}</TableCell>
                <TableCell>{date(order.placedAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>

        <H3>{t('lists.customerCases')}</H3>
        {customer.cases.length === 0 ? (
          <Text color="grey60" data-testid="customer-no-cases">
            {t('lists.customerNoCases')}
          </Text>
        ) : (
          <Table data-testid="customer-cases">
            <TableHead>
              <TableRow>
                <TableCell>{t('lists.col.case')}</TableCell>
                <TableCell>{t('lists.col.number')}</TableCell>
                <TableCell>{t('lists.col.type')}</TableCell>
                <TableCell>{t('lists.col.status')}</TableCell>
                <TableCell>{t('lists.col.refund')}</TableCell>
                <TableCell>{t('lists.col.openedAt')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {customer.cases.map((item) => (
                <TableRow key={item.id} data-testid="customer-case">
                  <TableCell>
                    <Link to={caseUrl(item.id)}>{item.number}</Link>
                  </TableCell>
                  <TableCell>{item.orderNumber}</TableCell>
                  <TableCell>{label('caseType', item.type)}</TableCell>
                  <TableCell>
                    <StatusBadge group="caseStatus" code={item.status} />
                  </TableCell>
                  <TableCell>{item.refundAmount ? money(item.refundAmount) : '—'}</TableCell>
                  <TableCell>{date(item.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Box>
    );
  }

  return (
    <Box variant="container" data-testid="customers-list">
      <H2>{t('lists.customersTitle')}</H2>
      <Box
        as="form"
        flex
        alignItems="flex-end"
        mb="lg"
        onSubmit={(event: React.FormEvent) => {
          event.preventDefault();
          open(q.trim() ? { q: q.trim() } : {});
        }}
      >
        <Box mr="md" style={{ width: 360 }}>
          <Input width={1} name="q" value={q} maxLength={64} placeholder={t('lists.customersSearch')} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setQ(event.target.value)} />
        </Box>
        <Button type="submit" variant="contained" data-testid="customers-search">
          {t('lists.search')}
        </Button>
      </Box>
      {data.problem ? <MessageBox mb="lg" variant="danger" message={data.problem} /> : null}
      <Table data-testid="customers-table">
        <TableHead>
          <TableRow>
            <TableCell>{t('lists.col.customer')}</TableCell>
            <TableCell>{t('lists.col.phone')}</TableCell>
            <TableCell>{t('lists.customerOrders')}</TableCell>
            <TableCell>{t('lists.customerSpend')}</TableCell>
            <TableCell>{t('lists.customerLastOrder')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(data.items ?? []).map((item) => (
            <TableRow key={item.id} data-testid="customer-row" data-phone={item.phone}>
              <TableCell>
                <Link to={`${location.pathname}?id=${encodeURIComponent(item.id)}`}>{item.name}</Link>
              </TableCell>
              <TableCell>{item.phone}</TableCell>
              <TableCell>{item.orders}</TableCell>
              <TableCell>{money(item.spend)}</TableCell>
              <TableCell>{date(item.lastOrderAt)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {(data.items ?? []).length === 0 ? (
        <Text mt="lg" color="grey60">
          {t('lists.customersNone')}
        </Text>
      ) : null}
      <Text mt="xl" textAlign="center">
        <Pagination page={data.page ?? 1} perPage={data.pageSize ?? 50} total={data.total ?? 0} onChange={(next: number) => open({ ...(data.q ? { q: data.q } : {}), page: String(next) })} />
      </Text>
    </Box>
  );
};

export default CustomersPage;
