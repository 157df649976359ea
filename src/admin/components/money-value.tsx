import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { useTexts } from './i18n';

/** A money property (a decimal string of yuan) as the user reads money: ¥129.00 (issue 14), in lists and on show pages. */
const MoneyValue: React.FC<BasePropertyProps> = ({ property, record }) => {
  const { money } = useTexts();
  const value = record?.params?.[property.path];
  if (value === undefined || value === null || value === '') return null;
  return <span data-money={String(value)}>{money(String(value))}</span>;
};

export default MoneyValue;
