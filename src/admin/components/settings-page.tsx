import React, { useCallback, useEffect, useState } from 'react';
import { Box, Button, CheckBox, H3, H4, Input, Label, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text, TextArea } from '@adminjs/design-system';
import { SETTINGS_PAGE, type SettingsPageData } from '../ui-contract';
import { api, valueAt, withValue } from './api';
import { type Texts, useTexts } from './i18n';

type Doc = Record<string, unknown>;
const isObject = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Only what differs from what was loaded (lists whole): the service merges it onto the latest settings, as a PUT does. */
export function changedValues(before: unknown, after: unknown): unknown {
  if (isObject(before) && isObject(after)) {
    const entries = Object.entries(after)
      .map(([key, value]) => [key, changedValues(before[key], value)] as const)
      .filter(([, value]) => value !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
}

/** A typed whole number is sent as a number; anything else as typed, so the server's validation names the problem. */
const numberOrText = (typed: string): unknown => (/^-?\d+$/.test(typed.trim()) ? Number(typed.trim()) : typed);

/** The words of a settings path (`afterSales.slaHours.review`, `notifications.events.order-shipped.sms`) for the history. */
function fieldLabel(path: string, { t }: Texts): string {
  const event = /^notifications\.events\.([^.]+)\.(email|sms)$/.exec(path);
  if (event) return `${t(`settings.events.${event[1]}`)} · ${t(`settings.channel.${event[2]}`)}`;
  const key = `settings.fields.${path.replace(/\./g, '_')}`;
  const label = t(key);
  return label === key ? path : label;
}

/** The error text of a settings path in the user's words: a range from the schema's bounds, or the field's own rule. */
function errorText(path: string, raw: string, data: SettingsPageData, { t }: Texts): string {
  const limits = data.limits[path];
  if (limits) return t('settings.errors.range', { min: limits.min ?? '', max: limits.max ?? '' });
  const key = `settings.errors.${path.split('.').slice(0, 2).join('_')}`;
  const text = t(key);
  return text === key ? t('settings.errors.invalid', { problem: raw }) : text;
}

/** What every Field needs: the error of a path, and the user's words. */
const FieldContext = React.createContext<{ errorAt: (path: string) => string | null; texts: Texts } | null>(null);

/** A setting's label, control, help and (when refused) its error; outside the page so that inputs keep their focus. */
const Field: React.FC<{ path: string; help?: string; children: React.ReactNode }> = ({ path, help, children }) => {
  const { errorAt, texts } = React.useContext(FieldContext)!;
  const error = errorAt(path);
  return (
    <Box mb="lg" data-testid={`setting-${path}`} data-error={error ? 'true' : 'false'}>
      <Label>{fieldLabel(path, texts)}</Label>
      {children}
      {help ? (
        <Text fontSize="sm" color="grey60" mt="sm">
          {help}
        </Text>
      ) : null}
      {error ? (
        <Text fontSize="sm" color="error" mt="sm" data-testid={`setting-error-${path}`}>
          {error}
        </Text>
      ) : null}
    </Box>
  );
};

const selectStyle: React.CSSProperties = { padding: '8px', minWidth: 260, border: '1px solid #C0C0CA', borderRadius: 4, background: '#fff', fontSize: 14 };

/**
 * 规则设置 (G3.1): every flow rule of GET /api/settings with a control for it — toggles, numbers, a province picker, the
 * warehouse, the carriers in order, notification events per channel — saved through the page's handler (settings.page.ts),
 * which runs PUT /api/settings's validation; problems show beside their fields and nothing is saved. Below, the history of
 * changes from the audit log. Holders of settings.read only see it all read-only.
 */
const SettingsPage: React.FC = () => {
  const texts = useTexts();
  const { t, label, date } = texts;
  const [data, setData] = useState<SettingsPageData | null>(null);
  const [draft, setDraft] = useState<Doc | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async (change?: unknown) => {
    try {
      const form = change === undefined ? undefined : new FormData();
      if (form) form.append('change', JSON.stringify(change));
      const answer = (await api.getPage({ pageName: SETTINGS_PAGE, ...(form ? { method: 'post', data: form } : {}) })).data as SettingsPageData;
      setData(answer);
      // a refused save keeps what the user typed, so that they can correct it
      if (!answer.refused) setDraft(answer.settings);
      setProblem(null);
    } catch {
      setProblem(t('settings.loadFailed'));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (problem) return <MessageBox variant="danger" message={problem} />;
  if (!data) return <Loader />;
  if (!data.allowed || !data.settings || !draft) {
    return (
      <Box variant="card" data-testid="settings-not-allowed">
        <MessageBox variant="danger" message={t('settings.notAllowed')} />
      </Box>
    );
  }

  const readOnly = !data.canEdit || busy;
  const value = (path: string) => valueAt(draft, path);
  const set = (path: string, next: unknown) => setDraft((current) => withValue(current ?? {}, path, next));
  const errors = data.fieldErrors ?? {};
  const errorAt = (path: string) => {
    const found = Object.keys(errors).find((key) => key === path || key.startsWith(`${path}.`));
    return found ? errorText(found, errors[found], data, texts) : null;
  };
  const change = changedValues(data.settings, draft);

  const save = async () => {
    if (change === undefined) return;
    setBusy(true);
    try {
      await load(change);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (path: string, text: string) => {
    const id = `setting-input-${path}`;
    return (
      <Box flex flexDirection="row" alignItems="center">
        <CheckBox id={id} checked={value(path) === true} disabled={readOnly} onChange={() => set(path, value(path) !== true)} />
        <Label inline htmlFor={id} ml="default" mb="0">
          {text}
        </Label>
      </Box>
    );
  };

  const wholeNumber = (path: string, unit: string) => {
    const limits = data.limits[path];
    const shown = value(path);
    return (
      <Box flex flexDirection="row" alignItems="center">
        <Input
          name={path}
          width={140}
          value={shown === null || shown === undefined ? '' : String(shown)}
          disabled={readOnly}
          inputMode="numeric"
          onChange={(event: React.ChangeEvent<HTMLInputElement>) => set(path, numberOrText(event.target.value))}
        />
        <Text ml="default">{unit}</Text>
        {limits ? (
          <Text ml="lg" fontSize="sm" color="grey60">
            {t('settings.rangeHint', { min: limits.min ?? '', max: limits.max ?? '' })}
          </Text>
        ) : null}
      </Box>
    );
  };

  const select = (path: string, options: Array<{ value: string; label: string }>, nullLabel?: string) => (
    <select
      name={path}
      style={selectStyle}
      disabled={readOnly}
      value={value(path) === null ? '' : String(value(path) ?? '')}
      onChange={(event) => set(path, event.target.value === '' && nullLabel !== undefined ? null : event.target.value)}
    >
      {nullLabel !== undefined ? <option value="">{nullLabel}</option> : null}
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );

  const provinces = (value('deliveryArea.provinces') as string[]) ?? [];
  const carriers = (value('carrierPriority') as string[]) ?? [];
  const moveCarrier = (index: number, by: number) => {
    const next = [...carriers];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    set('carrierPriority', next);
  };
  const recipients = (value('notifications.testRecipients') as string[]) ?? [];
  const section = (title: string, testId: string, children: React.ReactNode) => (
    <Box variant="card" mb="xl" data-testid={testId}>
      <H4 mb="lg">{title}</H4>
      {children}
    </Box>
  );

  return (
    <FieldContext.Provider value={{ errorAt, texts }}>
    <Box data-testid="settings-page" p="xl">
      <Box flex justifyContent="space-between" alignItems="center" mb="lg">
        <Box>
          <H3 mb="sm">{t('settings.title')}</H3>
          <Text color="grey60">{t(data.canEdit ? 'settings.intro' : 'settings.readOnly')}</Text>
        </Box>
        {data.canEdit ? (
          <Box>
            <Button mr="default" disabled={busy || change === undefined} onClick={() => setDraft(data.settings)} data-testid="settings-reset">
              {t('settings.reset')}
            </Button>
            <Button variant="contained" disabled={busy || change === undefined} onClick={() => void save()} data-testid="settings-save">
              {t('settings.save')}
            </Button>
          </Box>
        ) : null}
      </Box>
      {data.saved ? <MessageBox variant="success" mb="lg" message={t('settings.saved')} data-testid="settings-notice" /> : null}
      {data.refused ? (
        <MessageBox
          variant="danger"
          mb="lg"
          // problems with values are shown beside them; anything else (the role no longer allows it) is said as it is
          message={Object.keys(errors).length > 0 ? t('settings.refused', { count: Object.keys(errors).length }) : t('settings.refusedOther', { reason: data.refused })}
          data-testid="settings-refused"
        />
      ) : null}

      {section(
        t('settings.sections.review'),
        'settings-section-review',
        <>
          <Field path="autoReview.enabled" help={t('settings.help.autoReview')}>
            {toggle('autoReview.enabled', t('settings.autoReviewOn'))}
          </Field>
          <Field path="autoReview.manualReviewAbove" help={t('settings.help.manualReviewAbove')}>
            <Box flex flexDirection="row" alignItems="center">
              <Text mr="default">¥</Text>
              <Input
                name="autoReview.manualReviewAbove"
                width={180}
                placeholder={t('settings.noLimit')}
                disabled={readOnly}
                value={(value('autoReview.manualReviewAbove') as string | null) ?? ''}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => set('autoReview.manualReviewAbove', event.target.value.trim() === '' ? null : event.target.value.trim())}
              />
            </Box>
          </Field>
        </>,
      )}

      {section(
        t('settings.sections.area'),
        'settings-section-area',
        <Field path="deliveryArea.provinces" help={t('settings.help.provinces')}>
          <Box flex flexDirection="row" alignItems="center" mb="default">
            <Text mr="lg" data-testid="province-count">
              {t('settings.provincesChosen', { chosen: provinces.length, total: data.choices.provinces.length })}
            </Text>
            <Button size="sm" mr="sm" type="button" disabled={readOnly} onClick={() => set('deliveryArea.provinces', [...data.choices.provinces])}>
              {t('settings.allProvinces')}
            </Button>
            <Button size="sm" type="button" disabled={readOnly} onClick={() => set('deliveryArea.provinces', [])}>
              {t('settings.noProvinces')}
            </Button>
          </Box>
          <Box flex flexDirection="row" flexWrap="wrap">
            {data.choices.provinces.map((province) => {
              const id = `province-${province}`;
              const on = provinces.includes(province);
              return (
                <Box key={province} flex flexDirection="row" alignItems="center" width={120} mb="sm">
                  <CheckBox
                    id={id}
                    checked={on}
                    disabled={readOnly}
                    onChange={() => set('deliveryArea.provinces', on ? provinces.filter((other) => other !== province) : data.choices.provinces.filter((other) => other === province || provinces.includes(other)))}
                  />
                  <Label inline htmlFor={id} ml="sm" mb="0">
                    {province}
                  </Label>
                </Box>
              );
            })}
          </Box>
        </Field>,
      )}

      {section(
        t('settings.sections.allocation'),
        'settings-section-allocation',
        <>
          <Field path="defaultWarehouse" help={t('settings.help.defaultWarehouse')}>
            {select('defaultWarehouse', data.choices.warehouses.map((w) => ({ value: w.code, label: `${w.name}（${w.code}）` })), t('settings.noDefaultWarehouse'))}
          </Field>
          <Field path="allocationStrategy" help={t(`settings.strategyHelp.${String(value('allocationStrategy'))}`)}>
            {select('allocationStrategy', data.choices.allocationStrategies.map((code) => ({ value: code, label: t(`settings.strategy.${code}`) })))}
          </Field>
          <Field path="partialStockPolicy" help={t(`settings.policyHelp.${String(value('partialStockPolicy'))}`)}>
            {select('partialStockPolicy', data.choices.partialStockPolicies.map((code) => ({ value: code, label: t(`settings.policy.${code}`) })))}
          </Field>
          <Field path="orderMerge.automatic" help={t('settings.help.orderMerge')}>
            {toggle('orderMerge.automatic', t('settings.orderMergeOn'))}
          </Field>
          <Field path="carrierPriority" help={t('settings.help.carriers')}>
            <Box data-testid="carrier-priority">
              {carriers.map((carrier, index) => (
                <Box key={carrier} flex flexDirection="row" alignItems="center" mb="sm" data-testid="carrier-row" data-carrier={carrier}>
                  <Text width={32} fontWeight="bold">
                    {index + 1}.
                  </Text>
                  <Text width={140}>{label('carrier', carrier)}</Text>
                  <Button size="sm" mr="sm" type="button" disabled={readOnly || index === 0} onClick={() => moveCarrier(index, -1)} data-testid="carrier-up" title={t('settings.moveUp')}>
                    ↑
                  </Button>
                  <Button size="sm" mr="sm" type="button" disabled={readOnly || index === carriers.length - 1} onClick={() => moveCarrier(index, 1)} data-testid="carrier-down" title={t('settings.moveDown')}>
                    ↓
                  </Button>
                  <Button size="sm" type="button" disabled={readOnly} onClick={() => set('carrierPriority', carriers.filter((other) => other !== carrier))} data-testid="carrier-remove">
                    {t('settings.removeCarrier')}
                  </Button>
                </Box>
              ))}
              {data.choices.carriers
                .filter((carrier) => !carriers.includes(carrier))
                .map((carrier) => (
                  <Button key={carrier} size="sm" mr="sm" mt="sm" type="button" disabled={readOnly} onClick={() => set('carrierPriority', [...carriers, carrier])} data-testid="carrier-add" data-carrier={carrier}>
                    + {label('carrier', carrier)}
                  </Button>
                ))}
            </Box>
          </Field>
        </>,
      )}

      {section(
        t('settings.sections.alerts'),
        'settings-section-alerts',
        <>
          <Field path="alertThresholds.staleTrackingHours" help={t('settings.help.staleTracking')}>
            {wholeNumber('alertThresholds.staleTrackingHours', t('settings.hours'))}
          </Field>
          <Field path="alertThresholds.unpaidMinutes" help={t('settings.help.unpaidMinutes')}>
            {wholeNumber('alertThresholds.unpaidMinutes', t('settings.minutes'))}
          </Field>
          {['payment', 'address', 'stock', 'logistics'].map((kind) => (
            <Field key={kind} path={`alertThresholds.exceptionSlaHours.${kind}`} help={kind === 'payment' ? t('settings.help.exceptionSla') : undefined}>
              {wholeNumber(`alertThresholds.exceptionSlaHours.${kind}`, t('settings.hours'))}
            </Field>
          ))}
          <Field path="afterSales.windowDays" help={t('settings.help.windowDays')}>
            {wholeNumber('afterSales.windowDays', t('settings.days'))}
          </Field>
          {['review', 'receive', 'inspect', 'refund', 'replacement'].map((step) => (
            <Field key={step} path={`afterSales.slaHours.${step}`}>
              {wholeNumber(`afterSales.slaHours.${step}`, t('settings.hours'))}
            </Field>
          ))}
        </>,
      )}

      {section(
        t('settings.sections.notifications'),
        'settings-section-notifications',
        <>
          <Field path="notifications.events" help={t('settings.help.events')}>
            <Box style={{ maxWidth: 640 }}>
            <Table>
              <TableHead>
                <TableRow>
                  <TableCell>{t('settings.event')}</TableCell>
                  <TableCell>{t('settings.channel.email')}</TableCell>
                  <TableCell>{t('settings.channel.sms')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.choices.notificationEvents.map((event) => (
                  <TableRow key={event} data-testid="event-row" data-event={event}>
                    <TableCell>{t(`settings.events.${event}`)}</TableCell>
                    {['email', 'sms'].map((channel) => {
                      const path = `notifications.events.${event}.${channel}`;
                      return (
                        <TableCell key={channel}>
                          <CheckBox id={`setting-input-${path}`} checked={value(path) === true} disabled={readOnly} onChange={() => set(path, value(path) !== true)} />
                        </TableCell>
                      );
                    })}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            </Box>
          </Field>
          <Field path="notifications.defaultLocale" help={t('settings.help.notificationLocale')}>
            {select('notifications.defaultLocale', data.choices.notificationLocales.map((code) => ({ value: code, label: label('locale', code) })))}
          </Field>
          <Field path="notifications.maxPerRecipientPerHour" help={t('settings.help.maxPerHour')}>
            {wholeNumber('notifications.maxPerRecipientPerHour', t('settings.perHour'))}
          </Field>
          <Field path="notifications.alertEmail" help={t('settings.help.alertEmail')}>
            <Input
              name="notifications.alertEmail"
              width={320}
              disabled={readOnly}
              value={(value('notifications.alertEmail') as string | null) ?? ''}
              onChange={(event: React.ChangeEvent<HTMLInputElement>) => set('notifications.alertEmail', event.target.value.trim() === '' ? null : event.target.value.trim())}
            />
          </Field>
          <Field path="notifications.testRecipients" help={t('settings.help.testRecipients')}>
            <TextArea
              name="notifications.testRecipients"
              rows={3}
              width={320}
              disabled={readOnly}
              value={recipients.join('\n')}
              onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => set('notifications.testRecipients', event.target.value.split('\n').map((line) => line.trim()).filter((line) => line !== ''))}
            />
          </Field>
        </>,
      )}

      {section(
        t('settings.sections.system'),
        'settings-section-system',
        <>
          <Field path="locale" help={t('settings.help.locale')}>
            {select('locale', data.choices.locales.map((code) => ({ value: code, label: label('locale', code) })))}
          </Field>
          <Field path="timeZone" help={t('settings.help.timeZone')}>
            <Input name="timeZone" width={260} disabled={readOnly} value={String(value('timeZone') ?? '')} onChange={(event: React.ChangeEvent<HTMLInputElement>) => set('timeZone', event.target.value.trim())} />
          </Field>
          <Field path="security.adminSessionIdleMinutes" help={t('settings.help.sessionIdle')}>
            {wholeNumber('security.adminSessionIdleMinutes', t('settings.minutes'))}
          </Field>
          <Field path="backups.schedule" help={t('settings.help.backupSchedule')}>
            <Input
              name="backups.schedule"
              width={260}
              placeholder={t('settings.noSchedule')}
              disabled={readOnly}
              value={(value('backups.schedule') as string | null) ?? ''}
              onChange={(event: React.ChangeEvent<HTMLInputElement>) => set('backups.schedule', event.target.value.trim() === '' ? null : event.target.value)}
            />
          </Field>
          <Field path="backups.keep" help={t('settings.help.backupKeep')}>
            {wholeNumber('backups.keep', t('settings.copies'))}
          </Field>
        </>,
      )}

      <Box variant="card" data-testid="settings-history">
        <H4 mb="lg">{t('settings.history')}</H4>
        {data.history.length === 0 ? (
          <Text>{t('settings.noHistory')}</Text>
        ) : (
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>{t('settings.when')}</TableCell>
                <TableCell>{t('settings.who')}</TableCell>
                <TableCell>{t('settings.whatChanged')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.history.map((entry) => (
                <TableRow key={entry.id} data-testid="settings-history-row">
                  <TableCell style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>{date(entry.at)}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>{entry.actor}</TableCell>
                  <TableCell>
                    {Object.entries(entry.changes).map(([path, { from, to }]) => (
                      <Box key={path} mb="sm" data-testid="settings-history-change" data-path={path}>
                        <Text as="span" fontWeight="bold">
                          {fieldLabel(path, texts)}
                        </Text>
                        <Text as="span" ml="default">
                          {describeChange(path, from, to, texts)}
                        </Text>
                      </Box>
                    ))}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Box>
    </Box>
    </FieldContext.Provider>
  );
};

/** A value of a setting as the user reads it: carriers and codes in words, on/off, "none". */
function shownValue(path: string, value: unknown, { t, label }: Texts): string {
  if (value === null || value === undefined) return t('settings.none');
  if (typeof value === 'boolean') return t(value ? 'settings.on' : 'settings.off');
  if (Array.isArray(value)) {
    if (value.length === 0) return t('settings.none');
    return value.map((item) => (path === 'carrierPriority' ? label('carrier', String(item)) : String(item))).join(path === 'carrierPriority' ? ' › ' : '、');
  }
  if (path === 'allocationStrategy') return t(`settings.strategy.${String(value)}`);
  if (path === 'partialStockPolicy') return t(`settings.policy.${String(value)}`);
  if (path === 'locale' || path === 'notifications.defaultLocale') return label('locale', String(value));
  return String(value);
}

/** "old → new"; for a list of provinces only what was added and removed (31 names twice would hide the change). */
function describeChange(path: string, from: unknown, to: unknown, texts: Texts): string {
  if (path === 'deliveryArea.provinces' && Array.isArray(from) && Array.isArray(to)) {
    const added = to.filter((item) => !from.includes(item));
    const removed = from.filter((item) => !to.includes(item));
    return [added.length ? texts.t('settings.added', { items: added.join('、') }) : '', removed.length ? texts.t('settings.removed', { items: removed.join('、') }) : ''].filter(Boolean).join('；');
  }
  return `${shownValue(path, from, texts)} → ${shownValue(path, to, texts)}`;
}

export default SettingsPage;
