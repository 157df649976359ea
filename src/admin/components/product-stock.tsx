import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Text } from '@adminjs/design-system';
import type { ProductStockLevel } from '../ui-contract';
import { Table } from './detail-parts';
import { useTexts } from './i18n';

/** G2.3 on the product page: on hand, reserved and available in every warehouse holding the product. */
const ProductStock: React.FC<BasePropertyProps> = ({ record, property }) => {
  const { t } = useTexts();
  const raw = record?.params?.[property.path];
  const levels: ProductStockLevel[] = typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : [];
  if (levels.length === 0) return <Text mb="lg" data-testid="product-stock">{t('warehouseWork.noStock')}</Text>;
  return (
    <Table
      testId="product-stock"
      columns={[t('warehouseWork.warehouse'), t('warehouseWork.bin'), t('warehouseWork.onHand'), t('reserved'), t('warehouseWork.available')]}
      rows={levels.map((level) => [`${level.warehouse} ${level.warehouseName}`, level.bin ?? '—', level.onHand, level.reserved, <strong>{level.available}</strong>])}
    />
  );
};

export default ProductStock;
