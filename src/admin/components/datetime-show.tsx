import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import { useShownDateTime } from './datetime-value';

/** AdminJS's date-time field on a show page (overrides `DefaultDatetimeShowProperty`), in the shop's time zone. */
const DateTimeShow: React.FC<BasePropertyProps> = (props) => {
  const { translateProperty } = useTranslation();
  return <ValueGroup label={translateProperty(props.property.label, props.property.resourceId)}>{useShownDateTime(props)}</ValueGroup>;
};

export default DateTimeShow;
