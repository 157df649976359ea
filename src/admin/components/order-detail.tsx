import React from 'react';
import type { ActionProps } from 'adminjs';
import { Box, MessageBox, Text } from '@adminjs/design-system';
import type { OrderDetail } from '../ui-contract';
import { CustomerMessagesSection, Field, HistoryTable, ProcessSection, Section, Table, TrackingNumber } from './detail-parts';
import { useTexts } from './i18n';
import { StatusBadge } from './status-badge';

function Shipments({ order }: { order: OrderDetail }) {
  const { t, label, date } = useTexts();
  if (order.shipments.length === 0) return <Text>{t('noShipment')}</Text>;
  return (
    <>
      {order.shipments.map((shipment) => (
        <Box key={shipment.id} mb="xl" data-testid="shipment">
          <Box flex flexWrap="wrap">
            <Field label={t('warehouse')}>{shipment.warehouse}</Field>
            <Field label={t('status')}>
              <StatusBadge group="shipmentStatus" code={shipment.status} testId="shipment-status" />
            </Field>
            <Field label={t('carrier')}>{shipment.carrier ? label('carrier', shipment.carrier) : '—'}</Field>
            <Field label={t('trackingNumber')}>
              <TrackingNumber url={shipment.trackingUrl} number={shipment.trackingNumber} />
            </Field>
            <Field label={t('items')}>{shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ')}</Field>
          </Box>
          {shipment.allocationReason ? (
            <Text mb="default" data-testid="allocation-reason">
              {t('whyThisWarehouse', { reason: shipment.allocationReason })}
            </Text>
          ) : null}
          {shipment.events.length > 0 ? (
            <Table
              testId="tracking-events"
              columns={[t('trackingEvent'), t('status'), t('location'), t('description')]}
              rows={[...shipment.events].reverse().map((event) => [date(event.at), <StatusBadge group="trackingStatus" code={event.status} />, event.location ?? '', event.description ?? ''])}
            />
          ) : (
            <Text color="grey60">{t('noTrackingEvents')}</Text>
          )}
        </Box>
      ))}
    </>
  );
}

/** G2.5: the order's detail page; its actions are the buttons above it. */
const OrderDetailComponent: React.FC<ActionProps> = ({ record }) => {
  const { t, label, date, money } = useTexts();
  const order = record?.params?.detail as OrderDetail | undefined;
  if (!order) return <MessageBox variant="danger" message={t('orderNotLoaded')} />;
  return (
    <Box data-testid="order-detail">
      <Box variant="card" mb="xl">
        <Box flex flexWrap="wrap" alignItems="flex-start">
          <Field label={t('order')}>{order.number}</Field>
          <Field label={t('status')}>
            <StatusBadge group="orderStatus" code={order.status} testId="order-status" />
          </Field>
          <Field label={t('channel')}>
            {label('channel', order.channel)} · {order.externalId}
          </Field>
          <Field label={t('placed')}>{date(order.placedAt)}</Field>
          <Field label={t('total')}>
            <span data-testid="order-total">{money(order.totals.grand)}</span> {t('totalParts', { items: money(order.totals.items), shipping: money(order.totals.shipping) })}
          </Field>
          <Field label={t('payment')}>
            {order.payment.method}, {label('paymentStatus', order.payment.status)}
            {order.payment.amount ? ` ${money(order.payment.amount)}` : ''}
            {order.payment.reference ? ` · ${order.payment.reference}` : ''}
          </Field>
          {order.approvedBy ? <Field label={t('approvedBy')}>{order.approvedBy}</Field> : null}
        </Box>
        <Box flex flexWrap="wrap">
          <Field label={t('customer')}>
            {order.customer.name} · {order.customer.phone}
            {order.customer.email ? ` · ${order.customer.email}` : ''}
          </Field>
          <Field label={t('shipTo')}>{order.address || '—'}</Field>
          {order.notes ? <Field label={t('notes')}>{order.notes}</Field> : null}
        </Box>
      </Box>

      <Section title={t('reviewFlags')} testId="order-flags">
        {order.flags.length === 0 ? (
          <Text>{t('noFlags')}</Text>
        ) : (
          <Table testId="flags" columns={[t('flag'), t('whatToDo')]} rows={order.flags.map((flag) => [
              <StatusBadge group="flag" code={flag.code} />,
              <>
                {label('flagHint', flag.code)}
                <Text fontSize="sm" color="grey60">
                  {flag.message}
                </Text>
              </>,
            ])}
          />
        )}
      </Section>

      <Section title={t('lines')} testId="order-lines">
        <Table
          testId="lines"
          columns={[t('sku'), t('productName'), t('quantity'), t('unitPrice'), t('reserved'), t('shipped')]}
          rows={order.lines.map((line) => [line.sku, line.name || t('unknownSku'), line.quantity, money(line.unitPrice), line.reserved, line.shipped])}
        />
      </Section>

      <Section title={t('shipmentsAndTracking')} testId="order-shipments">
        <Shipments order={order} />
      </Section>

      {order.alerts.length > 0 ? (
        <Section title={t('openAlerts')} testId="order-alerts">
          <Table testId="alerts" columns={[t('raised'), t('kind'), t('alert')]} rows={order.alerts.map((alert) => [date(alert.createdAt), label('logisticsAlert', alert.kind), alert.message])} />
        </Section>
      ) : null}

      <Section title={t('statusHistory')} testId="order-history">
        <HistoryTable history={order.history} group="orderStatus" />
      </Section>

      <CustomerMessagesSection messages={order.messages} testId="order-messages" />

      <ProcessSection process={order.process} testId="order-process" />
    </Box>
  );
};

export default OrderDetailComponent;
