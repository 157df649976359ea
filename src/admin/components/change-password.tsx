import React, { useState } from 'react';
import { Box, Button, H3, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { CHANGE_PASSWORD_PAGE, type FormActionResult } from '../ui-contract';
import { api } from './api';
import { useTexts } from './i18n';

type Answer = FormActionResult & { notice?: { message: string; type: 'success' | 'error' }; redirectUrl?: string };

function PasswordField({ name, label, value, error, help, onChange }: { name: string; label: string; value: string; error?: string; help?: string; onChange: (value: string) => void }) {
  return (
    <Box mb="lg">
      <Label htmlFor={name} required>
        {label}
      </Label>
      <Input id={name} name={name} type="password" autoComplete={name === 'currentPassword' ? 'current-password' : 'new-password'} width={1} value={value} onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)} />
      {help ? <Text fontSize="sm" color="grey60">{help}</Text> : null}
      {error ? <Text color="error" fontSize="sm" data-testid="field-error">{error}</Text> : null}
    </Box>
  );
}

/**
 * "Change my password" (G3.3): the signed-in user proves the current password; passwords are sent exactly as typed.
 * Every session of the user ends with the change, this one included: the page then goes to the login.
 */
const ChangePassword: React.FC = () => {
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', repeat: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Answer['notice'] | null>(null);
  const [busy, setBusy] = useState(false);
  const { t } = useTexts();
  const set = (name: keyof typeof values) => (value: string) => setValues((current) => ({ ...current, [name]: value }));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (values.newPassword !== values.repeat) return setErrors({ repeat: t('password.mismatch') });
    const data = new FormData();
    data.append('currentPassword', values.currentPassword);
    data.append('newPassword', values.newPassword);
    setBusy(true);
    try {
      const answer = (await api.getPage({ pageName: CHANGE_PASSWORD_PAGE, method: 'post', data })).data as Answer;
      setErrors(answer.fieldErrors ?? {});
      setNotice(answer.notice ?? null);
      if (answer.notice?.type === 'success') window.location.assign(answer.redirectUrl ?? '/admin/login');
    } catch {
      setNotice({ message: t('requestFailed'), type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="card" as="form" onSubmit={submit} maxWidth={560} data-testid="change-password">
      <H3>{t('password.title')}</H3>
      <Text mb="xl">{t('password.intro')}</Text>
      {notice ? <MessageBox variant={notice.type === 'success' ? 'success' : 'danger'} message={notice.message} mb="lg" /> : null}
      <PasswordField name="currentPassword" label={t('password.current')} value={values.currentPassword} error={errors.currentPassword} onChange={set('currentPassword')} />
      <PasswordField name="newPassword" label={t('password.new')} value={values.newPassword} error={errors.newPassword} help={t('password.help')} onChange={set('newPassword')} />
      <PasswordField name="repeat" label={t('password.repeat')} value={values.repeat} error={errors.repeat} onChange={set('repeat')} />
      <Button type="submit" variant="contained" disabled={busy} data-testid="form-submit">
        {t('password.submit')}
      </Button>
    </Box>
  );
};

export default ChangePassword;
