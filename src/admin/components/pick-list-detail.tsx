import React from 'react';
import type { ActionProps } from 'adminjs';
import { Box, Button, MessageBox } from '@adminjs/design-system';
import type { PickListDetail } from '../ui-contract';
import { Field, Section, Table } from './detail-parts';
import { useTexts } from './i18n';
import { StatusBadge } from './status-badge';

/** G1.4: a pick list (波次) as the picker holds it: lines in walking order, the shipments of the wave, print buttons. */
const PickListDetailComponent: React.FC<ActionProps> = ({ record }) => {
  const { t, date } = useTexts();
  const pickList = record?.params?.detail as PickListDetail | undefined;
  if (!pickList) return <MessageBox variant="danger" message={t('loadFailed')} />;
  const units = pickList.lines.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <Box data-testid="pick-list-detail">
      <Box variant="card" mb="xl">
        <Box flex flexWrap="wrap" alignItems="flex-start">
          <Field label={t('warehouseWork.pickList')}>{pickList.number}</Field>
          <Field label={t('status')}>
            <StatusBadge group="pickListStatus" code={pickList.status} testId="pick-list-status" />
          </Field>
          <Field label={t('warehouseWork.warehouse')}>{pickList.warehouse}</Field>
          <Field label={t('warehouseWork.createdBy')}>
            {pickList.createdBy} · {date(pickList.createdAt)}
          </Field>
          {pickList.pickedAt ? (
            <Field label={t('warehouseWork.pickedBy')}>
              {pickList.pickedBy} · {date(pickList.pickedAt)}
            </Field>
          ) : null}
          <Field label={t('warehouseWork.totals')}>{t('warehouseWork.totalsValue', { shipments: pickList.shipments.length, skus: pickList.lines.length, units })}</Field>
        </Box>
        <Box flex flexWrap="wrap">
          <Button as="a" href={pickList.printUrl} target="_blank" rel="noopener" variant="contained" mr="default" mb="default" data-testid="print-pick-list">
            {t('warehouseWork.printPickList')}
          </Button>
          <Button as="a" href={pickList.labelsUrl} target="_blank" rel="noopener" variant="outlined" mr="default" mb="default" data-testid="print-wave-labels">
            {t('warehouseWork.printWaveLabels')}
          </Button>
        </Box>
      </Box>

      <Section title={t('warehouseWork.pickLines')} testId="pick-list-lines">
        <Table
          testId="pick-lines"
          columns={[t('warehouseWork.lineNo'), t('warehouseWork.bin'), t('sku'), t('productName'), t('quantity')]}
          rows={pickList.lines.map((line, index) => [index + 1, line.bin ?? t('warehouseWork.noBin'), line.sku, line.name || '—', <strong>{line.quantity}</strong>])}
        />
      </Section>

      <Section title={t('warehouseWork.waveShipments')} testId="pick-list-shipments">
        <Table
          testId="wave-shipments"
          columns={[t('order'), t('status'), t('warehouseWork.documents')]}
          rows={pickList.shipments.map((shipment) => [
            <a href={shipment.orderUrl}>{shipment.orderNumber}</a>,
            <StatusBadge group="shipmentStatus" code={shipment.status} />,
            <a href={shipment.showUrl}>{t('warehouseWork.openShipment')}</a>,
          ])}
        />
      </Section>
    </Box>
  );
};

export default PickListDetailComponent;
