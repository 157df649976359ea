import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Box, Button } from '@adminjs/design-system';
import { WAREHOUSE_ROUTES } from '../ui-contract';
import { useTexts } from './i18n';

const DOCUMENTS = [
  { file: 'label.pdf', key: 'warehouseWork.printLabel', testId: 'print-label' },
  { file: 'packing-slip.pdf', key: 'warehouseWork.printPackingSlip', testId: 'print-packing-slip' },
  { file: 'invoice.pdf', key: 'warehouseWork.printInvoice', testId: 'print-invoice' },
] as const;

/**
 * G1.4 / G2.4: a shipment's label, packing slip and invoice, each opened as a PDF in a new tab through the admin session
 * (src/admin/warehouse-documents.controller.ts: a link cannot send the API's bearer token).
 */
const ShipmentDocuments: React.FC<BasePropertyProps> = ({ record }) => {
  const { t } = useTexts();
  const id = record?.id;
  if (!id) return null;
  return (
    <Box flex flexWrap="wrap" mb="lg" data-testid="shipment-documents">
      {DOCUMENTS.map((document) => (
        <Button key={document.file} as="a" href={WAREHOUSE_ROUTES.shipmentDocument(String(id), document.file)} target="_blank" rel="noopener" variant="outlined" mr="default" mb="default" data-testid={document.testId}>
          {t(document.key)}
        </Button>
      ))}
    </Box>
  );
};

export default ShipmentDocuments;
