import React, { useEffect, useRef, useState } from 'react';
import type { ActionProps, RecordJSON } from 'adminjs';
import { RecordsTable, useRecords, useSelectedRecords } from 'adminjs';
import { useLocation, useNavigate } from 'react-router';
import { Box, Button, Input, Pagination, Text } from '@adminjs/design-system';
import { useTexts } from './i18n';

const FROM = 'filters.placedAt~~from';
const TO = 'filters.placedAt~~to';
const Q = 'filters.q';
const PAGE_SIZES = [20, 50, 100, 200];
/** How often, and how many times, the list reads the orders again while the workflow is still taking approved ones on. */
const SETTLE_INTERVAL_MS = 1_500;
const SETTLE_TRIES = 20;

/** Approved, but its process has not reserved the stock yet: its status is about to change. */
const settling = (record: RecordJSON) => record.params.status === 'pending_review' && Boolean(record.params.approvedAt);

/**
 * The order list (issue 14 item 6): one search box (part of the order number, the customer's name or phone, a SKU) with
 * a placed-date range, export of the current filter (CSV / XLSX), the page size (to select up to 200 orders for a batch
 * action) and AdminJS's table with its selection and batch buttons. After an action the rows are read again, and again
 * while an approved order still shows pending_review, so the list shows where the workflow took it without a reload.
 */
const OrderList: React.FC<ActionProps> = ({ resource, setTag }) => {
  const { t } = useTexts();
  const location = useLocation();
  const navigate = useNavigate();
  const { records, loading, direction, sortBy, page, total, fetchData, perPage } = useRecords(resource.id);
  const { selectedRecords, handleSelect, handleSelectAll, setSelectedRecords } = useSelectedRecords(records);
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get(Q) ?? '');
  const [from, setFrom] = useState(params.get(FROM) ?? '');
  const [to, setTo] = useState(params.get(TO) ?? '');
  const tries = useRef(0);

  useEffect(() => {
    if (setTag) setTag(total.toString());
  }, [total]);

  useEffect(() => {
    const search = new URLSearchParams(location.search);
    setQ(search.get(Q) ?? '');
    setFrom(search.get(FROM) ?? '');
    setTo(search.get(TO) ?? '');
    setSelectedRecords([]);
    tries.current = 0;
  }, [location.search]);

  // the workflow moves approved orders on a moment after the approval: read the rows again until they have moved
  useEffect(() => {
    if (loading || !records.some(settling) || tries.current >= SETTLE_TRIES) return undefined;
    const timer = setTimeout(() => {
      tries.current += 1;
      fetchData();
    }, SETTLE_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [records, loading]);

  const go = (changes: Record<string, string>) => {
    const search = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) search.set(key, value);
      else search.delete(key);
    }
    search.delete('page');
    navigate({ pathname: location.pathname, search: search.toString() });
  };

  const exportUrl = (format: 'csv' | 'xlsx') => {
    const search = new URLSearchParams();
    for (const [key, value] of new URLSearchParams(location.search)) if (key.startsWith('filters.')) search.set(key, value);
    search.set('format', format);
    return `/admin/orders/export?${search}`;
  };

  return (
    <Box variant="container" data-testid="order-list">
      <Box
        as="form"
        flex
        flexWrap="wrap"
        alignItems="flex-end"
        mb="lg"
        data-testid="order-search"
        onSubmit={(event: React.FormEvent) => {
          event.preventDefault();
          go({ [Q]: q.trim(), [FROM]: from, [TO]: to });
        }}
      >
        <Box mr="md" mb="sm" flexGrow={1} style={{ minWidth: 280, maxWidth: 480 }}>
          <Text fontSize="sm" color="grey60" mb="xs">
            {t('lists.searchLabel')}
          </Text>
          <Input width={1} name="q" value={q} maxLength={64} placeholder={t('lists.searchPlaceholder')} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setQ(event.target.value)} />
        </Box>
        <Box mr="md" mb="sm">
          <Text fontSize="sm" color="grey60" mb="xs">
            {t('lists.placedFrom')}
          </Text>
          <Input type="date" name="from" value={from} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setFrom(event.target.value)} />
        </Box>
        <Box mr="md" mb="sm">
          <Text fontSize="sm" color="grey60" mb="xs">
            {t('lists.placedTo')}
          </Text>
          <Input type="date" name="to" value={to} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTo(event.target.value)} />
        </Box>
        <Button type="submit" variant="contained" mr="sm" mb="sm" data-testid="search-submit">
          {t('lists.search')}
        </Button>
        <Button type="button" variant="text" mr="lg" mb="sm" onClick={() => go({ [Q]: '', [FROM]: '', [TO]: '' })}>
          {t('lists.clear')}
        </Button>
        <Box flex alignItems="center" mb="sm" ml="auto">
          <Text fontSize="sm" color="grey60" mr="sm">
            {t('lists.export')}
          </Text>
          <Button as="a" href={exportUrl('csv')} size="sm" variant="outlined" mr="sm" data-testid="export-csv">
            CSV
          </Button>
          <Button as="a" href={exportUrl('xlsx')} size="sm" variant="outlined" mr="lg" data-testid="export-xlsx">
            Excel
          </Button>
          <Text fontSize="sm" color="grey60" mr="sm">
            {t('lists.perPage')}
          </Text>
          <select
            data-testid="per-page"
            value={String(perPage)}
            onChange={(event) => go({ perPage: event.target.value })}
            style={{ height: 32, border: '1px solid #c0c0ca', borderRadius: 4, padding: '0 6px' }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </Box>
      </Box>
      {records.some(settling) ? (
        <Text fontSize="sm" color="info" mb="sm" data-testid="list-settling">
          {t('lists.settling')}
        </Text>
      ) : null}
      <RecordsTable
        resource={resource}
        records={records}
        actionPerformed={() => fetchData()}
        onSelect={handleSelect}
        onSelectAll={handleSelectAll}
        selectedRecords={selectedRecords}
        direction={direction}
        sortBy={sortBy}
        isLoading={loading}
      />
      <Text mt="xl" textAlign="center">
        <Pagination page={page} perPage={perPage} total={total} onChange={(next: number) => navigate({ pathname: location.pathname, search: withPage(location.search, next) })} />
      </Text>
    </Box>
  );
};

const withPage = (search: string, page: number) => {
  const params = new URLSearchParams(search);
  params.set('page', String(page));
  return params.toString();
};

export default OrderList;
