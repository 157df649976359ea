import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { useShownDateTime } from './datetime-value';

/** AdminJS's date-time column (overrides `DefaultDatetimeListProperty`), in the shop's time zone: datetime-value.ts. */
const DateTimeList: React.FC<BasePropertyProps> = (props) => (
  <span data-datetime={String(props.record?.params?.[props.property.path] ?? '')}>{useShownDateTime(props)}</span>
);

export default DateTimeList;
