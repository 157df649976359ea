import React, { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, Box, Button, H3, H4, Input, Label, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text, TextArea } from '@adminjs/design-system';
import {
  INTEGRATIONS_PAGE, type IntegrationDeliveryRowView, type IntegrationFieldSpec, type IntegrationKindSpec, type IntegrationRowView, type IntegrationsPageData,
} from '../ui-contract';
import { api } from './api';
import { type Texts, useTexts } from './i18n';

/** The form open on the page: a new connector, or one being edited (its secrets are never filled in, only typed anew). */
interface Draft {
  mode: 'create' | 'edit';
  id?: string;
  kind: string;
  name: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
}

const STATUS_VARIANT: Record<IntegrationRowView['status'], 'success' | 'default' | 'danger'> = { active: 'success', paused: 'default', failing: 'danger' };
const OUTCOME_VARIANT: Record<IntegrationDeliveryRowView['outcome'], 'success' | 'default' | 'danger'> = {
  created: 'success', updated: 'success', duplicate: 'default', ignored: 'default', rejected: 'danger', failed: 'danger',
};

/** A word from `ui.integrations.<key>`, or the code itself when the locale has none (a kind or field added later). */
const wordOr = ({ t }: Texts, key: string, code: string) => {
  const word = t(`integrations.${key}`);
  return word === `integrations.${key}` ? code : word;
};

/** Copies the webhook URL: the clipboard API, else the selected text with the older command. */
async function copyText(value: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    input?.select();
    return document.execCommand('copy');
  }
}

/** One setting or secret of the form: label (required or optional), its control, help, and the service's refusal of it. */
const FieldRow: React.FC<{ spec: IntegrationFieldSpec; part: 'settings' | 'secrets'; draft: Draft; isSet: boolean; error?: string; texts: Texts; onChange: (value: string) => void }> = ({
  spec, part: group, draft, isSet, error, texts, onChange,
}) => {
  const { t } = texts;
  const id = `integration-${group}-${spec.name}`;
  const value = draft[group][spec.name] ?? '';
  const secret = group === 'secrets';
  return (
    <Box mb="lg" data-testid={`field-${group}.${spec.name}`} data-error={error ? 'true' : 'false'}>
      <Label htmlFor={id} required={spec.required}>
        {wordOr(texts, `fields.${spec.name}`, spec.name)}
        {spec.required ? null : (
          <Text as="span" ml="sm" fontSize="sm" color="grey60">
            （{t('integrations.optional')}）
          </Text>
        )}
      </Label>
      {spec.multiline && !secret ? (
        <TextArea id={id} name={`${group}.${spec.name}`} width={1} rows={4} value={value} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)} />
      ) : spec.multiline ? (
        // a PEM key is several lines; as a secret it is still never shown back
        <TextArea id={id} name={`${group}.${spec.name}`} width={1} rows={4} value={value} autoComplete="off" placeholder={isSet ? t('integrations.secretIsSet') : ''}
          onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)} style={{ WebkitTextSecurity: 'disc' } as React.CSSProperties} />
      ) : (
        <Input id={id} name={`${group}.${spec.name}`} width={1} type={secret ? 'password' : 'text'} autoComplete={secret ? 'new-password' : 'off'} value={value}
          placeholder={secret && isSet ? t('integrations.secretIsSet') : ''} onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)} />
      )}
      <Text fontSize="sm" color="grey60" mt="sm">
        {wordOr(texts, `help.${draft.kind}_${spec.name}`, '') || wordOr(texts, `help.${spec.name}`, '')}
      </Text>
      {error ? (
        <Text fontSize="sm" color="error" mt="sm" data-testid={`field-error-${group}.${spec.name}`}>
          {error}
        </Text>
      ) : null}
    </Box>
  );
};

/** Adding or editing a connector: the kind (when new), its name, the settings and secrets the kind needs. */
const ConnectorForm: React.FC<{ draft: Draft; kinds: IntegrationKindSpec[]; current?: IntegrationRowView; errors: Record<string, string>; busy: boolean; texts: Texts;
  onChange: (draft: Draft) => void; onSave: () => void; onCancel: () => void; }> = ({ draft, kinds, current, errors, busy, texts, onChange, onSave, onCancel }) => {
  const { t } = texts;
  const spec = kinds.find((kind) => kind.kind === draft.kind);
  return (
    <Box border="default" p="xl" mb="xl" bg="white" data-testid="integration-form" data-mode={draft.mode}>
      <H4>{draft.mode === 'create' ? t('integrations.addTitle') : t('integrations.editTitle', { name: draft.name })}</H4>
      {draft.mode === 'create' ? (
        <Box mb="lg">
          <Label required>{t('integrations.kind')}</Label>
          <Box flex flexWrap="wrap">
            {kinds.map((kind) => (
              <Button key={kind.kind} type="button" mr="default" mb="default" variant={kind.kind === draft.kind ? 'contained' : 'outlined'} data-testid={`integration-kind-${kind.kind}`}
                onClick={() => onChange({ ...draft, kind: kind.kind, settings: {}, secrets: {} })}>
                {wordOr(texts, `kinds.${kind.kind}`, kind.kind)}
              </Button>
            ))}
          </Box>
          <Text fontSize="sm" color={spec ? 'grey60' : 'error'}>
            {spec ? wordOr(texts, `kindHints.${spec.kind}`, '') : errors.kind ?? t('integrations.chooseKind')}
          </Text>
        </Box>
      ) : null}
      {spec ? (
        <>
          {draft.mode === 'create' ? (
            <Box mb="lg" data-testid="field-name" data-error={errors.name ? 'true' : 'false'}>
              <Label htmlFor="integration-name" required>
                {t('integrations.name')}
              </Label>
              <Input id="integration-name" name="name" width={1} value={draft.name} autoComplete="off" placeholder={`${spec.kind}-main`}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange({ ...draft, name: event.target.value })} />
              <Text fontSize="sm" color="grey60" mt="sm">
                {t('integrations.nameHelp')}
              </Text>
              {errors.name ? (
                <Text fontSize="sm" color="error" mt="sm" data-testid="field-error-name">
                  {errors.name}
                </Text>
              ) : null}
            </Box>
          ) : null}
          {spec.settings.length ? <H4 mt="lg">{t('integrations.settingsTitle')}</H4> : null}
          {spec.settings.map((field) => (
            <FieldRow key={field.name} spec={field} part="settings" draft={draft} isSet={false} error={errors[`settings.${field.name}`]} texts={texts}
              onChange={(value) => onChange({ ...draft, settings: { ...draft.settings, [field.name]: value } })} />
          ))}
          <H4 mt="lg">{t('integrations.secretsTitle')}</H4>
          {spec.secrets.map((field) => (
            <FieldRow key={field.name} spec={field} part="secrets" draft={draft} isSet={current?.secretKeys.includes(field.name) ?? false} error={errors[`secrets.${field.name}`]} texts={texts}
              onChange={(value) => onChange({ ...draft, secrets: { ...draft.secrets, [field.name]: value } })} />
          ))}
        </>
      ) : null}
      <Box flex>
        <Button type="button" variant="contained" mr="default" disabled={busy || !spec} onClick={onSave} data-testid="integration-save">
          {t('integrations.save')}
        </Button>
        <Button type="button" variant="text" disabled={busy} onClick={onCancel} data-testid="integration-cancel">
          {t('integrations.cancel')}
        </Button>
      </Box>
    </Box>
  );
};

/** A connector's recent deliveries, with Replay for a failed one whose body is still kept. */
const Deliveries: React.FC<{ item: IntegrationRowView; deliveries: NonNullable<IntegrationsPageData['deliveries']>; retentionDays: number; busy: boolean; texts: Texts; onReplay: (id: string) => void }> = ({
  item, deliveries, retentionDays, busy, texts, onReplay,
}) => {
  const { t, date } = texts;
  return (
    <Box mt="lg" data-testid="integration-deliveries">
      <Text fontWeight="bold" fontSize="lg" mb="sm">
        {t('integrations.deliveries.title', { name: item.name })}
      </Text>
      <Text fontSize="sm" color="grey60" mb="default">
        {t('integrations.deliveries.retention', { days: retentionDays })}
      </Text>
      {deliveries.items.length === 0 ? (
        <Text>{t('integrations.deliveries.empty')}</Text>
      ) : (
        <>
          <Text fontSize="sm" mb="sm">
            {t('integrations.deliveries.total', { total: deliveries.total, shown: deliveries.items.length })}
          </Text>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>{t('integrations.deliveries.columns.time')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.topic')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.outcome')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.externalId')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.order')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.error')}</TableCell>
                <TableCell>{t('integrations.deliveries.columns.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {deliveries.items.map((delivery) => (
                <TableRow key={delivery.id} data-testid="integration-delivery" data-outcome={delivery.outcome} data-id={delivery.id}>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{date(delivery.receivedAt)}</TableCell>
                  <TableCell>{delivery.topic ?? '—'}</TableCell>
                  <TableCell>
                    <Badge variant={OUTCOME_VARIANT[delivery.outcome]} data-testid="delivery-outcome">
                      {t(`integrations.outcomes.${delivery.outcome}`)}
                    </Badge>
                    {delivery.replays ? (
                      <Text fontSize="sm" color="grey60">
                        {t('integrations.deliveries.replays', { count: delivery.replays })}
                      </Text>
                    ) : null}
                  </TableCell>
                  <TableCell>{delivery.externalId ?? '—'}</TableCell>
                  <TableCell>{delivery.orderId ? <Link to={`/admin/resources/Order/records/${delivery.orderId}/show`}>{delivery.orderNumber ?? delivery.orderId}</Link> : '—'}</TableCell>
                  <TableCell style={{ maxWidth: 360, wordBreak: 'break-word' }}>
                    <Text fontSize="sm" color={delivery.error ? 'error' : 'grey60'}>
                      {delivery.error ?? '—'}
                    </Text>
                  </TableCell>
                  <TableCell>
                    {delivery.replayable ? (
                      <Button size="sm" variant="contained" disabled={busy} onClick={() => onReplay(delivery.id)} data-testid="delivery-replay" style={{ whiteSpace: 'nowrap' }}>
                        {t('integrations.actions.replay')}
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
};

/**
 * 对接管理 (issue 15 item 6): every connector with its status, last sync, last error, counts and the webhook URL to
 * register at the provider (copyable); add one, test it, pause / resume, edit, delete; its recent deliveries and the
 * replay of a failed one. Everything goes through the page's handler (src/admin/integrations-page.ts), the services of
 * /api/integrations. Secrets are typed into password fields and never come back: the page only learns which are set.
 */
const Integrations: React.FC = () => {
  const texts = useTexts();
  const { t, date } = texts;
  const [data, setData] = useState<IntegrationsPageData | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const inputs = React.useRef<Record<string, HTMLInputElement | null>>({});

  const load = useCallback(async (post?: Record<string, string>, connector?: string) => {
    try {
      const form = post ? new FormData() : undefined;
      if (post) for (const [key, value] of Object.entries(post)) form!.append(key, value);
      const params = connector ? { connector } : {};
      const answer = (await api.getPage({ pageName: INTEGRATIONS_PAGE, params, ...(form ? { method: 'post', data: form } : {}) })).data as IntegrationsPageData;
      setData(answer);
      setProblem(null);
      return answer;
    } catch {
      setProblem(t('integrations.loadFailed'));
      return null;
    }
  }, []);

  useEffect(() => {
    void load(undefined, new URLSearchParams(window.location.search).get('connector') ?? undefined);
  }, [load]);

  const shown = data?.deliveries?.connectorId ?? '';
  const act = async (op: string, fields: Record<string, string> = {}) => {
    setBusy(true);
    try {
      return await load({ op, connector: shown, ...fields }, shown || undefined);
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    if (!draft) return;
    const answer = await act(draft.mode, { id: draft.id ?? '', kind: draft.kind, name: draft.name, settings: JSON.stringify(draft.settings), secrets: JSON.stringify(draft.secrets) });
    // saved: the typed secrets leave the page's memory with the form
    if (answer?.notice?.type === 'success') setDraft(null);
  };

  const edit = (item: IntegrationRowView) => {
    const spec = data?.kinds.find((kind) => kind.kind === item.kind);
    const settings = Object.fromEntries((spec?.settings ?? []).map((field) => [field.name, typeof item.settings[field.name] === 'string' ? (item.settings[field.name] as string) : '']));
    setDraft({ mode: 'edit', id: item.id, kind: item.kind, name: item.name, settings, secrets: {} });
  };

  const copy = async (item: IntegrationRowView) => {
    if (item.webhookUrl && (await copyText(item.webhookUrl, inputs.current[item.id] ?? null))) setCopied(item.id);
  };

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!data) return <Loader />;
  if (!data.allowed) return <MessageBox variant="danger" message={t('integrations.notAllowed')} data-testid="integrations-not-allowed" />;
  const notice = data.notice ? (data.notice.key ? t(`integrations.done.${data.notice.key}`, data.notice.vars) : (data.notice.message ?? '')) : null;
  const errors = data.fieldErrors ?? {};

  return (
    <Box variant="card" data-testid="integrations-page">
      <Box flex justifyContent="space-between" alignItems="center" mb="default">
        <H3 mb="0">{t('integrations.title')}</H3>
        {!draft ? (
          <Button variant="contained" onClick={() => setDraft({ mode: 'create', kind: '', name: '', settings: {}, secrets: {} })} data-testid="integration-add">
            {t('integrations.add')}
          </Button>
        ) : null}
      </Box>
      <Text color="grey60" mb="lg">
        {t('integrations.intro')}
      </Text>
      {notice ? <MessageBox mb="lg" variant={data.notice!.type === 'success' ? 'success' : 'danger'} message={notice} data-testid="integration-notice" /> : null}
      {draft ? (
        <ConnectorForm draft={draft} kinds={data.kinds} current={data.items.find((item) => item.id === draft.id)} errors={errors} busy={busy} texts={texts}
          onChange={setDraft} onSave={() => void save()} onCancel={() => setDraft(null)} />
      ) : null}
      {data.items.length === 0 ? <Text data-testid="integrations-empty">{t('integrations.empty')}</Text> : null}
      {data.items.map((item) => {
        const kind = data.kinds.find((spec) => spec.kind === item.kind);
        const test = data.test?.connectorId === item.id ? data.test : null;
        return (
          <Box key={item.id} border="default" p="lg" mb="lg" data-testid="integration-row" data-id={item.id} data-name={item.name} data-status={item.status}>
            <Box flex justifyContent="space-between" alignItems="center" flexWrap="wrap">
              <Box flex alignItems="center">
                <H4 mb="0" mr="default">{item.name}</H4>
                <Badge mr="default" variant="primary" outline data-testid="integration-kind">{wordOr(texts, `kinds.${item.kind}`, item.kind)}</Badge>
                <Badge variant={STATUS_VARIANT[item.status]} data-testid="integration-status">{t(`integrations.status.${item.status}`)}</Badge>
              </Box>
              <Box flex flexWrap="wrap">
                <Button size="sm" mr="sm" variant="outlined" disabled={busy} onClick={() => void act('test', { id: item.id })} data-testid="integration-test">{t('integrations.actions.test')}</Button>
                {item.status === 'paused' ? (
                  <Button size="sm" mr="sm" variant="outlined" disabled={busy} onClick={() => void act('resume', { id: item.id })} data-testid="integration-resume">{t('integrations.actions.resume')}</Button>
                ) : (
                  <Button size="sm" mr="sm" variant="outlined" disabled={busy} onClick={() => void act('pause', { id: item.id })} data-testid="integration-pause">{t('integrations.actions.pause')}</Button>
                )}
                <Button size="sm" mr="sm" variant="outlined" disabled={busy} onClick={() => edit(item)} data-testid="integration-edit">{t('integrations.actions.edit')}</Button>
                <Button size="sm" mr="sm" variant="outlined" disabled={busy} onClick={() => void load(undefined, shown === item.id ? undefined : item.id)} data-testid="integration-deliveries-toggle">
                  {shown === item.id ? t('integrations.actions.hideDeliveries') : t('integrations.actions.deliveries')}
                </Button>
                <Button size="sm" variant="danger" disabled={busy} data-testid="integration-delete"
                  onClick={() => (window.confirm(t('integrations.confirmDelete', { name: item.name })) ? void act('delete', { id: item.id }) : undefined)}>
                  {t('integrations.actions.delete')}
                </Button>
              </Box>
            </Box>
            <Text fontSize="sm" color="grey60" mt="sm">{wordOr(texts, `kindHints.${item.kind}`, '')}</Text>
            <Box flex flexWrap="wrap" mt="default">
              <Box mr="xxl" mb="default">
                <Label>{t('integrations.columns.lastSync')}</Label>
                <Text data-testid="integration-last-sync">{item.lastSyncAt ? date(item.lastSyncAt) : t('integrations.never')}</Text>
              </Box>
              <Box mr="xxl" mb="default">
                <Label>{t('integrations.columns.counts')}</Label>
                <Text data-testid="integration-counts">
                  {t('integrations.counts', { created: item.counts.ordersCreated, updated: item.counts.ordersUpdated, duplicates: item.counts.duplicates, rejected: item.counts.rejected, ignored: item.counts.ignored })}
                </Text>
              </Box>
              <Box mb="default">
                <Label>{t('integrations.secretsSet')}</Label>
                <Text data-testid="integration-secret-keys">
                  {item.secretKeys.length ? item.secretKeys.map((key) => wordOr(texts, `fields.${key}`, key)).join('、') : t('integrations.noSecrets')}
                </Text>
              </Box>
            </Box>
            <Box mb="default">
              <Label>{t('integrations.columns.webhookUrl')}</Label>
              {item.webhookUrl ? (
                <Box flex alignItems="center">
                  <Input readOnly width={1} value={item.webhookUrl} ref={(input: HTMLInputElement | null) => { inputs.current[item.id] = input; }}
                    onFocus={(event: React.FocusEvent<HTMLInputElement>) => event.target.select()} data-testid="integration-webhook-url" style={{ fontFamily: 'monospace' }} />
                  <Button size="sm" ml="sm" variant="outlined" onClick={() => void copy(item)} data-testid="integration-copy" style={{ whiteSpace: 'nowrap', flexShrink: 0 }}>
                    {copied === item.id ? t('integrations.copied') : t('integrations.copy')}
                  </Button>
                </Box>
              ) : (
                <Text color="grey60">{t('integrations.noWebhook')}</Text>
              )}
            </Box>
            {item.lastError ? (
              <Box mb="default">
                <Label>
                  {t('integrations.columns.lastError')}
                  {item.status === 'failing' ? null : <Text as="span" ml="sm" fontSize="sm" color="grey60">（{t('integrations.errorResolved')}）</Text>}
                </Label>
                <Text color={item.status === 'failing' ? 'error' : 'grey60'} fontSize="sm" data-testid="integration-last-error" style={{ wordBreak: 'break-word' }}>{item.lastError}</Text>
              </Box>
            ) : null}
            {test ? (
              <MessageBox mt="default" variant={test.ok ? 'success' : 'danger'} message={`${test.ok ? t('integrations.testOk') : t('integrations.testFailed')}${texts.language === 'en' ? ': ' : '：'}${test.message}`}
                data-testid="integration-test-result" data-ok={String(test.ok)} />
            ) : null}
            {shown === item.id && data.deliveries && kind ? (
              <Deliveries item={item} deliveries={data.deliveries} retentionDays={data.retentionDays} busy={busy} texts={texts} onReplay={(delivery) => void act('replay', { id: item.id, delivery })} />
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
};

export default Integrations;
