import React from 'react';
import { type BasePropertyProps, useTranslation } from 'adminjs';
import { Text, ValueGroup } from '@adminjs/design-system';
import type { ProductStockLevel } from '../ui-contract';
import { Table } from './detail-parts';
import { useTexts } from './i18n';

/** G2.3 on the product page: on hand, reserved and available in every warehouse holding the product. */
const ProductStock: React.FC<BasePropertyProps> = ({ record, property, resource }) => {
  const { t } = useTexts();
  const { translateProperty } = useTranslation();
  const raw = record?.params?.[property.path];
  const levels: ProductStockLevel[] = typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : [];
  return (
    <ValueGroup label={translateProperty(property.label, resource.id)}>
      {levels.length === 0 ? (
        <Text data-testid="product-stock">{t('warehouseWork.noStock')}</Text>
      ) : (
        <Table
          testId="product-stock"
          columns={[t('warehouseWork.warehouse'), t('warehouseWork.bin'), t('warehouseWork.onHand'), t('reserved'), t('warehouseWork.available')]}
          rows={levels.map((level) => [`${level.warehouse} ${level.warehouseName}`, level.bin ?? '—', level.onHand, level.reserved, <strong>{level.available}</strong>])}
        />
      )}
    </ValueGroup>
  );
};

export default ProductStock;
