import React from 'react';
import { type BasePropertyProps, useTranslation } from 'adminjs';
import { Badge, ValueGroup } from '@adminjs/design-system';
import { useTexts } from './i18n';
import { type Tone, toneOf } from './status-tones';

/** Red: needs a person because something went wrong; blue: waiting for a step; green: on its way or done; grey: ended without effect. */
const TONE_COLOURS: Record<Tone, { bg: string; color: string }> = {
  problem: { bg: 'error', color: 'white' },
  waiting: { bg: 'info', color: 'white' },
  moving: { bg: 'success', color: 'white' },
  done: { bg: 'success', color: 'white' },
  ended: { bg: 'grey40', color: 'grey100' },
};

/** A code in the user's words, coloured by what it means; `data-status` keeps the code for tests and styles. */
export function StatusBadge({ group, code, testId }: { group: string; code: string; testId?: string }) {
  const { label } = useTexts();
  const tone = toneOf(group, code);
  return (
    <Badge {...TONE_COLOURS[tone]} data-testid={testId} data-status={code} data-tone={tone}>
      {label(group, code)}
    </Badge>
  );
}

/** An AdminJS property (list and show) whose value is a code of `custom.enumGroup` (src/admin/locale ENUM_PROPERTIES). */
const StatusBadgeProperty: React.FC<BasePropertyProps> = ({ property, record, resource, where }) => {
  const { label } = useTexts();
  const { translateProperty } = useTranslation();
  const code = record?.params?.[property.path];
  const { enumGroup: group, plain } = (property.custom ?? {}) as { enumGroup?: string; plain?: boolean };
  if (code === undefined || code === null || code === '') return null;
  const value = !group ? (
    <>{String(code)}</>
  ) : plain ? (
    // `plain`: a name rather than a state (a sales channel), so words without a coloured badge
    <span data-code={String(code)}>{label(group, String(code))}</span>
  ) : (
    <StatusBadge group={group} code={String(code)} />
  );
  // on a show page with its label, as AdminJS shows the other properties
  return where === 'show' ? <ValueGroup label={translateProperty(property.label, resource.id)}>{value}</ValueGroup> : value;
};

export default StatusBadgeProperty;
