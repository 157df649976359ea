import React, { useEffect, useState } from 'react';
import type { FilterPropertyProps } from 'adminjs';
import { FormGroup, Label } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import { api } from './api';
import { useTexts } from './i18n';

const selectStyle: React.CSSProperties = { width: '100%', padding: '8px', border: '1px solid #C0C0CA', borderRadius: 4, background: '#fff' };

/** The user list's role filter: a role picked from the roles that exist (built-in ones in the user's words), never typed. */
const RoleFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange, resource }) => {
  const { translateProperty } = useTranslation();
  const { label, t } = useTexts();
  const [roles, setRoles] = useState<string[]>([]);
  useEffect(() => {
    api
      .resourceAction({ resourceId: 'Role', actionName: 'list', params: { perPage: 500 } })
      .then(({ data }) => setRoles(((data as { records?: Array<{ id: string }> }).records ?? []).map((record) => record.id)))
      .catch(() => setRoles([]));
  }, []);
  const current = typeof filter?.[property.path] === 'string' ? (filter[property.path] as string) : '';
  return (
    <FormGroup>
      <Label>{translateProperty(property.label, resource.id)}</Label>
      <select name={`filter-${property.path}`} style={selectStyle} value={current} onChange={(event) => onChange(property.path, event.target.value)}>
        <option value="">{t('roles.anyRole')}</option>
        {roles.map((role) => (
          <option key={role} value={role}>
            {label('role', role)}
          </option>
        ))}
      </select>
    </FormGroup>
  );
};

export default RoleFilter;
