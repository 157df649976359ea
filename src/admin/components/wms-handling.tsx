import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Box, Text } from '@adminjs/design-system';
import { useTexts } from './i18n';

/**
 * Issue 15 item 5: a shipment a WMS works says so at the top of its page (由WMS作业), where the pack button would be:
 * its pick, pack and ship are confirmed by the WMS. Nothing for the shipments the staff work.
 */
const WmsHandling: React.FC<BasePropertyProps> = ({ record }) => {
  const { t } = useTexts();
  const connector = record?.params?.wmsHandling;
  if (!connector) return null;
  return (
    <Box mb="lg" p="default" bg="grey20" data-testid="wms-handling">
      <Text fontWeight="bold">{t('wmsHandOff.handledBy', { connector: String(connector) })}</Text>
      <Text mt="sm">{t('wmsHandOff.explain')}</Text>
    </Box>
  );
};

export default WmsHandling;
