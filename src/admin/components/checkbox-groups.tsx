import React, { useEffect, useState } from 'react';
import { type EditPropertyProps, flat, useTranslation } from 'adminjs';
import { Box, CheckBox, FormGroup, FormMessage, Label, Text } from '@adminjs/design-system';
import type { CheckboxOption, CheckboxOptions } from '../ui-contract';
import { api } from './api';
import { useTexts } from './i18n';

/** The heading of values no longer defined (a deleted role a user still holds). */
const NO_LONGER_DEFINED = 'no-longer-defined';

/** Options in the order given, under their group's heading (options without a group come first, unheaded). */
function grouped(options: CheckboxOption[]): Array<{ group: string; options: CheckboxOption[] }> {
  const groups: Array<{ group: string; options: CheckboxOption[] }> = [];
  for (const option of options) {
    const group = option.group ?? '';
    const found = groups.find((entry) => entry.group === group);
    if (found) found.options.push(option);
    else groups.push({ group, options: [option] });
  }
  return groups;
}

/**
 * A list property edited as one checkbox per value, grouped: the role editor's permissions by area (G3.3), a user's roles.
 * The options come with the property (`custom.options`) or are the records of another resource (`custom.optionsFrom`:
 * the roles as they are now, created since the admin started included).
 */
const CheckboxGroups: React.FC<EditPropertyProps> = ({ property, record, resource, onChange }) => {
  const { translateProperty } = useTranslation();
  const { label, t } = useTexts();
  const custom = (property.custom ?? {}) as CheckboxOptions;
  const words = custom.words ?? {};
  /** The words of `code` in `group`, else `fallback` (a role an admin created has none). */
  const wordsFor = (group: string | undefined, code: string, fallback: string | undefined) => {
    if (!group) return fallback;
    const found = label(group, code);
    return found === code ? fallback : found;
  };
  const [options, setOptions] = useState<CheckboxOption[]>(custom.options ?? []);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!custom.optionsFrom) return;
    api
      .resourceAction({ resourceId: custom.optionsFrom, actionName: 'list', params: { perPage: 500 } })
      .then(({ data }) => {
        const records = (data as { records?: Array<{ id: string; title: string; params: Record<string, unknown> }> }).records ?? [];
        setOptions(records.map((option) => ({ value: option.id, label: option.title, description: typeof option.params.description === 'string' ? option.params.description : undefined })));
      })
      .catch(() => setProblem('The choices could not be loaded; reload the page'));
  }, [custom.optionsFrom]);

  const raw = flat.get(record.params, property.path) as unknown;
  const selected = Array.isArray(raw) ? raw.filter((value): value is string => typeof value === 'string') : [];
  const toggle = (value: string, on: boolean) => onChange(property.path, on ? [...selected, value] : selected.filter((other) => other !== value));
  const error = record.errors?.[property.path];
  const known = new Set(options.map((option) => option.value));
  // a value no longer defined (a deleted role) stays visible, so that it can be unticked
  const shown = [...options, ...selected.filter((value) => options.length > 0 && !known.has(value)).map((value) => ({ value, label: value, group: NO_LONGER_DEFINED }))];

  return (
    <FormGroup error={Boolean(error)} data-testid={`checkboxes-${property.path}`}>
      <Label>{translateProperty(property.label, resource.id)}</Label>
      {problem ? <Text color="error">{problem}</Text> : null}
      {/* areas side by side: the permissions read as a grid */}
      <Box style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(340px, 1fr))', columnGap: 24 }}>
      {grouped(shown).map(({ group, options: inGroup }) => (
        <Box key={group} mb="lg" data-testid={group ? `checkbox-group-${group}` : undefined}>
          {group ? <Text fontWeight="bold" mb="sm">{group === NO_LONGER_DEFINED ? t('roles.noLongerDefined') : wordsFor(words.group, group, group)}</Text> : null}
          {inGroup.map((option) => {
            const id = `${property.path}-${option.value}`;
            return (
              <Box key={option.value} flex flexDirection="row" alignItems="center" mb="sm">
                <CheckBox id={id} name={id} value={option.value} checked={selected.includes(option.value)} onChange={() => toggle(option.value, !selected.includes(option.value))} />
                <Label inline htmlFor={id} ml="default" mb="0">
                  {wordsFor(words.label, option.value, option.label)}
                  {wordsFor(words.detail, option.value, option.description) ? (
                    <Text as="span" color="grey60" ml="default">
                      {wordsFor(words.detail, option.value, option.description)}
                    </Text>
                  ) : null}
                </Label>
              </Box>
            );
          })}
        </Box>
      ))}
      </Box>
      {property.description ? <FormMessage>{property.description}</FormMessage> : null}
      {error ? <FormMessage>{error.message}</FormMessage> : null}
    </FormGroup>
  );
};

export default CheckboxGroups;
