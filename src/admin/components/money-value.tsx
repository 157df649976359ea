import React from 'react';
import { type BasePropertyProps, useTranslation } from 'adminjs';
import { ValueGroup } from '@adminjs/design-system';
import { useTexts } from './i18n';

/** A money property (a decimal string of yuan) as the user reads money: ¥129.00 (issue 14), in lists and on show pages. */
const MoneyValue: React.FC<BasePropertyProps> = ({ property, record, resource, where }) => {
  const { money } = useTexts();
  const { translateProperty } = useTranslation();
  const value = record?.params?.[property.path];
  if (value === undefined || value === null || value === '') return null;
  const amount = <span data-money={String(value)}>{money(String(value))}</span>;
  // on a show page with its label, as AdminJS shows the other properties
  return where === 'show' ? <ValueGroup label={translateProperty(property.label, resource.id)}>{amount}</ValueGroup> : amount;
};

export default MoneyValue;
