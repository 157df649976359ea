import React, { useEffect } from 'react';
import { type EditPropertyProps, useTranslation } from 'adminjs';
import { CheckBox, FormGroup, FormMessage, Label } from '@adminjs/design-system';

const isOn = (value: unknown) => value === true || value === 'true';

/** A boolean that starts ticked on a new record (a new user is active unless unticked, issue 14); otherwise AdminJS's checkbox. */
const DefaultOnCheckbox: React.FC<EditPropertyProps> = ({ property, record, resource, onChange }) => {
  const { translateProperty, translateMessage } = useTranslation();
  const value = record.params?.[property.path];
  const isNew = !record.id;
  useEffect(() => {
    if (isNew && (value === undefined || value === '')) onChange(property.path, true);
  }, [isNew]);
  const id = property.path;
  const error = record.errors?.[property.path];
  return (
    <FormGroup error={Boolean(error)}>
      <CheckBox id={id} name={property.path} checked={isOn(value) || (isNew && value === undefined)} onChange={() => onChange(property.path, !isOn(value) && !(isNew && value === undefined))} />
      <Label inline htmlFor={id} ml="default">
        {translateProperty(property.label, resource.id)}
      </Label>
      {property.description ? <FormMessage>{translateMessage(property.description, resource.id)}</FormMessage> : null}
      {error ? <FormMessage>{error.message}</FormMessage> : null}
    </FormGroup>
  );
};

export default DefaultOnCheckbox;
