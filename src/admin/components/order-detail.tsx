import React from 'react';
import type { ActionProps } from 'adminjs';
import { Badge, Box, MessageBox, Text } from '@adminjs/design-system';
import type { OrderDetail } from '../ui-contract';
import { CustomerMessagesSection, Field, HistoryTable, ProcessSection, Section, Table, TrackingNumber, when } from './detail-parts';

/** Attention colours: held or failed is red, waiting is amber, done is green. */
function statusColour(status: string): 'danger' | 'info' | 'success' | 'secondary' {
  if (['exception', 'cancelled'].includes(status)) return 'danger';
  if (['pending_payment', 'pending_review', 'awaiting_stock'].includes(status)) return 'info';
  if (['delivered', 'completed'].includes(status)) return 'success';
  return 'secondary';
}

function Shipments({ order }: { order: OrderDetail }) {
  if (order.shipments.length === 0) return <Text>No shipment yet: the order has not been allocated to a warehouse.</Text>;
  return (
    <>
      {order.shipments.map((shipment) => (
        <Box key={shipment.id} mb="xl" data-testid="shipment">
          <Box flex flexWrap="wrap">
            <Field label="Warehouse">{shipment.warehouse}</Field>
            <Field label="Status">
              <Badge variant={statusColour(shipment.status)}>{shipment.status}</Badge>
            </Field>
            <Field label="Carrier">{shipment.carrier ?? '—'}</Field>
            <Field label="Tracking number">
              <TrackingNumber url={shipment.trackingUrl} number={shipment.trackingNumber} />
            </Field>
            <Field label="Items">{shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ')}</Field>
          </Box>
          {shipment.allocationReason ? (
            <Text mb="default" data-testid="allocation-reason">
              Why this warehouse: {shipment.allocationReason}
            </Text>
          ) : null}
          {shipment.events.length > 0 ? (
            <Table
              testId="tracking-events"
              columns={['Tracking event', 'Status', 'Location', 'Description']}
              rows={[...shipment.events].reverse().map((event) => [when(event.at), event.status, event.location ?? '', event.description ?? ''])}
            />
          ) : (
            <Text color="grey60">No tracking events yet.</Text>
          )}
        </Box>
      ))}
    </>
  );
}

/** G2.5: the order's detail page; its actions are the buttons above it. */
const OrderDetailComponent: React.FC<ActionProps> = ({ record }) => {
  const order = record?.params?.detail as OrderDetail | undefined;
  if (!order) return <MessageBox variant="danger" message="This order could not be loaded" />;
  return (
    <Box data-testid="order-detail">
      <Box variant="card" mb="xl">
        <Box flex flexWrap="wrap" alignItems="flex-start">
          <Field label="Order">{order.number}</Field>
          <Field label="Status">
            <Badge variant={statusColour(order.status)} data-testid="order-status">
              {order.status}
            </Badge>
          </Field>
          <Field label="Channel">
            {order.channel} · {order.externalId}
          </Field>
          <Field label="Placed">{when(order.placedAt)}</Field>
          <Field label="Total">
            {order.totals.grand} (items {order.totals.items}, shipping {order.totals.shipping})
          </Field>
          <Field label="Payment">
            {order.payment.method}, {order.payment.status}
            {order.payment.amount ? ` ${order.payment.amount}` : ''}
            {order.payment.reference ? ` · ${order.payment.reference}` : ''}
          </Field>
          {order.approvedBy ? <Field label="Approved by">{order.approvedBy}</Field> : null}
        </Box>
        <Box flex flexWrap="wrap">
          <Field label="Customer">
            {order.customer.name} · {order.customer.phone}
            {order.customer.email ? ` · ${order.customer.email}` : ''}
          </Field>
          <Field label="Ship to">{order.address || '—'}</Field>
          {order.notes ? <Field label="Notes">{order.notes}</Field> : null}
        </Box>
      </Box>

      <Section title="Review flags" testId="order-flags">
        {order.flags.length === 0 ? (
          <Text>None: the order passed every review rule.</Text>
        ) : (
          <Table testId="flags" columns={['Flag', 'What to do about it']} rows={order.flags.map((flag) => [<Badge variant="danger">{flag.code}</Badge>, flag.message])} />
        )}
      </Section>

      <Section title="Lines" testId="order-lines">
        <Table
          testId="lines"
          columns={['SKU', 'Name', 'Quantity', 'Unit price', 'Reserved', 'Shipped']}
          rows={order.lines.map((line) => [line.sku, line.name || '(unknown SKU)', line.quantity, line.unitPrice, line.reserved, line.shipped])}
        />
      </Section>

      <Section title="Shipments and tracking" testId="order-shipments">
        <Shipments order={order} />
      </Section>

      {order.alerts.length > 0 ? (
        <Section title="Open logistics alerts" testId="order-alerts">
          <Table testId="alerts" columns={['Raised', 'Kind', 'Alert']} rows={order.alerts.map((alert) => [when(alert.createdAt), alert.kind, alert.message])} />
        </Section>
      ) : null}

      <Section title="Status history" testId="order-history">
        <HistoryTable history={order.history} />
      </Section>

      <CustomerMessagesSection messages={order.messages} testId="order-messages" />

      <ProcessSection process={order.process} testId="order-process" />
    </Box>
  );
};

export default OrderDetailComponent;
