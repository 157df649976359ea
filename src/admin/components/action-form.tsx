import React, { useEffect, useState } from 'react';
import { type ActionProps, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';
import { Box, Button, H3, Input, Label, Loader, MessageBox, Text, TextArea } from '@adminjs/design-system';
import type { ActionForm, FormActionResult, FormField } from '../ui-contract';
import { api, flatten, valueAt, withValue } from './api';
import { useTexts } from './i18n';

type Values = Record<string, unknown>;
type Errors = Record<string, string>;

const inputStyle: React.CSSProperties = { width: '100%', padding: '8px', border: '1px solid #C0C0CA', borderRadius: 2, background: 'white' };

/** A `datetime-local` value is the operator's local time; the server gets an instant. */
function toInstant(value: unknown): unknown {
  const instant = typeof value === 'string' && value !== '' ? new Date(value) : null;
  return instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : value;
}

function FieldInput({ field, path, value, onChange }: { field: FormField; path: string; value: unknown; onChange: (value: unknown) => void }) {
  const text = value === undefined || value === null ? '' : String(value);
  if (field.readOnly || field.displayOnly) return <Text data-testid={`value-${path}`}>{text}</Text>;
  switch (field.kind) {
    case 'textarea':
      return <TextArea id={path} name={path} width={1} rows={3} value={text} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)} />;
    case 'select':
      return (
        <select id={path} name={path} style={inputStyle} value={text} onChange={(event) => onChange(event.target.value)}>
          {(field.options ?? []).map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      );
    case 'datetime':
      return <Input id={path} name={path} type="datetime-local" width={1} value={text} onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)} />;
    default:
      return (
        <Input
          id={path}
          name={path}
          width={1}
          inputMode={field.kind === 'integer' ? 'numeric' : field.kind === 'money' ? 'decimal' : undefined}
          value={text}
          onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
        />
      );
  }
}

const ErrorText = ({ error }: { error?: string }) => (error ? <Text color="error" fontSize="sm" data-testid="field-error">{error}</Text> : null);

/** An order's lines (or any list of rows): one input per column, rows added and removed unless they are given. */
function RowsInput({ field, values, errors, onChange }: { field: FormField; values: Values; errors: Errors; onChange: (path: string, value: unknown) => void }) {
  const { t } = useTexts();
  const rows = (valueAt(values, field.name) as Values[] | undefined) ?? [];
  const columns = field.columns ?? [];
  return (
    <Box mb="lg" data-testid={`rows-${field.name}`}>
      <Label required={field.required}>{field.label}</Label>
      <table style={{ width: '100%', borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.name} style={{ textAlign: 'left', fontWeight: 'normal', padding: '4px' }}>
                {column.label}
              </th>
            ))}
            {field.fixedRows ? null : <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => {
                const path = `${field.name}.${index}.${column.name}`;
                return (
                  <td key={column.name} style={{ padding: '4px', verticalAlign: 'top' }}>
                    <FieldInput field={column} path={path} value={row?.[column.name]} onChange={(value) => onChange(path, value)} />
                    <ErrorText error={errors[path]} />
                  </td>
                );
              })}
              {field.fixedRows ? null : (
                <td style={{ padding: '4px' }}>
                  <Button type="button" size="sm" variant="text" onClick={() => onChange(field.name, rows.filter((_, other) => other !== index))}>
                    {t('form.remove')}
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {field.fixedRows ? null : (
        <Button type="button" size="sm" variant="outlined" mt="sm" onClick={() => onChange(field.name, [...rows, {}])}>
          {t('form.addLine')}
        </Button>
      )}
      <ErrorText error={errors[field.name]} />
    </Box>
  );
}

/** Problems the server names for no field of the form (e.g. `customer` as a whole). */
function otherErrors(form: ActionForm, errors: Errors): string[] {
  const known = form.sections.flatMap((section) => section.fields).map((field) => field.name);
  return Object.entries(errors)
    .filter(([path]) => !known.some((name) => path === name || path.startsWith(`${name}.`)))
    .map(([path, message]) => `${path} ${message}`);
}

/**
 * Every order action that needs input (amend, allocate, pack, ship, payment, reject, cancel, new order): the action's GET
 * answers the form (fields, values); the submit posts the values like an AdminJS form; the service's answer comes back
 * as a notice and, for bad input, as messages beside the fields.
 */
const ActionFormComponent: React.FC<ActionProps> = ({ action, resource, record }) => {
  const addNotice = useNotice();
  const navigate = useNavigate();
  const { t } = useTexts();
  const [form, setForm] = useState<ActionForm | null>(null);
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const call = (method: 'get' | 'post', data?: FormData) =>
    record
      ? api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, method, data })
      : api.resourceAction({ resourceId: resource.id, actionName: action.name, method, data });

  useEffect(() => {
    setForm(null);
    call('get')
      .then(({ data }) => {
        const answer = data as { form?: ActionForm; notice?: { message: string } };
        if (answer.form) {
          setForm(answer.form);
          setValues(answer.form.values);
        } else setProblem(answer.notice?.message ?? t('form.cannotOpen'));
      })
      .catch(() => setProblem(t('loadFailed')));
  }, [resource.id, record?.id, action.name]);

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!form) return <Loader />;

  const fields = form.sections.flatMap((section) => section.fields);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const data = new FormData();
    const prepared = fields.filter((field) => field.kind === 'datetime').reduce((all, field) => withValue(all, field.name, toInstant(valueAt(all, field.name))), values);
    for (const [key, value] of Object.entries(flatten(prepared))) data.append(key, value);
    setBusy(true);
    try {
      const { data: answer } = await call('post', data);
      const result = answer as typeof answer & FormActionResult;
      setErrors(result.fieldErrors ?? {});
      if (result.notice) addNotice(result.notice);
      if (result.notice?.type === 'success' && result.redirectUrl) navigate(result.redirectUrl);
    } catch {
      addNotice({ message: t('requestFailed'), type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const change = (path: string, value: unknown) => setValues((current) => withValue(current, path, value));
  const unplaced = otherErrors(form, errors);

  return (
    <Box as="form" onSubmit={submit} data-testid="action-form" maxWidth={960}>
      <H3>{form.title}</H3>
      {form.intro ? <Text mb="xl">{form.intro}</Text> : null}
      {form.blocked ? (
        <MessageBox variant="info" message={form.blocked} data-testid="form-blocked" />
      ) : (
        <>
          {unplaced.length > 0 ? <MessageBox variant="danger" message={unplaced.join('; ')} mb="lg" /> : null}
          {form.sections.map((section, index) => (
            <Box key={section.title ?? index} mb="xl">
              {section.title ? <Text fontWeight="bold" mb="default">{section.title}</Text> : null}
              {section.fields.map((field) =>
                field.kind === 'rows' ? (
                  <RowsInput key={field.name} field={field} values={values} errors={errors} onChange={change} />
                ) : (
                  <Box key={field.name} mb="lg">
                    <Label htmlFor={field.name} required={field.required}>
                      {field.label}
                    </Label>
                    <FieldInput field={field} path={field.name} value={valueAt(values, field.name)} onChange={(value) => change(field.name, value)} />
                    {field.help ? <Text fontSize="sm" color="grey60">{field.help}</Text> : null}
                    <ErrorText error={errors[field.name]} />
                  </Box>
                ),
              )}
            </Box>
          ))}
          <Button type="submit" variant="contained" color={form.variant === 'danger' ? 'danger' : 'primary'} disabled={busy} data-testid="form-submit">
            {form.submitLabel}
          </Button>
        </>
      )}
    </Box>
  );
};

export default ActionFormComponent;
