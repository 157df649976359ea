import React from 'react';
import { type BasePropertyProps, flat } from 'adminjs';
import { Text } from '@adminjs/design-system';
import type { CodeLabelsOptions } from '../ui-contract';
import { useTexts } from './i18n';

/**
 * A property holding codes (a user's or key's roles, a role's name or description) shown in the user's words: each code
 * by `custom.enumGroup` (built-in roles: 管理员, 审单客服, ...), a code without words as it is (a role an admin created).
 * `custom.keyFrom` looks the words up by another property (a built-in role's description by its name); `custom.count`
 * shows how many there are instead (a role's permissions in the list).
 */
const CodeLabels: React.FC<BasePropertyProps> = ({ property, record }) => {
  const { t, label } = useTexts();
  const custom = (property.custom ?? {}) as CodeLabelsOptions;
  const raw = flat.get(record?.params ?? {}, property.path) as unknown;
  const values = (Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw]).map(String);
  if (custom.count) {
    return <Text data-testid="code-count">{values.includes('*') ? t('roles.allPermissions') : t('roles.permissionCount', { count: values.length })}</Text>;
  }
  if (custom.keyFrom) {
    const key = String(record?.params?.[custom.keyFrom] ?? '');
    const words = label(custom.enumGroup, key);
    return <Text>{words !== key ? words : values.join(', ')}</Text>;
  }
  return (
    <Text data-testid="code-labels" data-codes={values.join(',')}>
      {values.map((code) => label(custom.enumGroup, code)).join('、')}
    </Text>
  );
};

export default CodeLabels;
