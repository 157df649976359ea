import type { PageHandler } from 'adminjs';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import type { Acting } from '../audit/acting';
import { type ErrorDetail, ValidationError } from '../common/errors';
import { flattenValidationErrors } from '../common/validation';
import { type IntegrationDeliveriesService, REPLAY_RETENTION_DAYS } from '../integrations/deliveries.service';
import { CreateIntegrationDto, UpdateIntegrationDto } from '../integrations/dto/integration.dto';
import { INTEGRATION_KINDS } from '../integrations/integration-kinds';
import type { IntegrationsService } from '../integrations/integrations.service';
import { REPLAYABLE_KINDS } from '../integrations/webhooks.service';
import { actAs } from './actions/operator-action';
import { can } from './admin-access';
import type { AdminIdentity } from './admin-auth';
import { ADMIN_LANGUAGES, languageOf } from './locale';
import { translateIntegrationTest } from './locale/integration-texts';
import type { IntegrationFieldSpec, IntegrationKindSpec, IntegrationsPageData } from './ui-contract';

const OPS = ['create', 'update', 'test', 'pause', 'resume', 'delete', 'replay'] as const;
type Op = (typeof OPS)[number];
const DELIVERIES_SHOWN = 50;

/**
 * The settings and secrets this code reads beyond the ones a kind requires (integration-kinds.ts): offered in the form,
 * optional. A kind added elsewhere shows its required fields only until it is listed here.
 */
const OPTIONAL_FIELDS: Record<string, { settings?: string[]; secrets?: string[] }> = {
  // the Admin API: the credentials check, fulfilment back
  shopify: { settings: ['shopDomain', 'apiVersion', 'apiBaseUrl'], secrets: ['accessToken'] },
  // its REST API: order status and tracking back
  woocommerce: { settings: ['storeUrl'], secrets: ['consumerKey', 'consumerSecret'] },
  wechatpay: { settings: ['platformSerial'] },
  alipay: { settings: ['sellerId'] },
};
/** PEM keys and certificates: several lines. */
const MULTILINE = new Set(['platformCertificate', 'alipayPublicKey']);

const field = (name: string, required: boolean): IntegrationFieldSpec => ({ name, required, multiline: MULTILINE.has(name) });

/** Every kind with the fields its form asks for: the required ones first. */
export const INTEGRATION_KIND_SPECS: IntegrationKindSpec[] = INTEGRATION_KINDS.map((kind) => {
  const optional = OPTIONAL_FIELDS[kind.kind] ?? {};
  const required = { settings: kind.requiredSettings ?? [], secrets: kind.requiredSecrets };
  return {
    kind: kind.kind,
    inbound: kind.inbound,
    settings: [...required.settings.map((name) => field(name, true)), ...(optional.settings ?? []).filter((name) => !required.settings.includes(name)).map((name) => field(name, false))],
    secrets: [...required.secrets.map((name) => field(name, true)), ...(optional.secrets ?? []).filter((name) => !required.secrets.includes(name)).map((name) => field(name, false))],
    replayable: REPLAYABLE_KINDS.includes(kind.kind),
  };
});

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** A JSON object of strings the page sent (the form's settings or secrets); anything else is the page's fault. */
function stringsOf(raw: unknown, what: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(raw) || '{}');
  } catch {
    throw ValidationError.of(what, 'must be an object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw ValidationError.of(what, 'must be an object');
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => typeof value === 'string').map(([key, value]) => [key, (value as string).trim()]));
}

/**
 * The body checked as the API's ValidationPipe checks it (the DTO), before the service's own checks; `more` adds the
 * service's problems to a refusal, so the form shows every field's problem at once.
 */
async function checkedDto<T extends object>(type: new () => T, body: Record<string, unknown>, more: () => ErrorDetail[] = () => []): Promise<T> {
  const dto = plainToInstance(type, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length) throw ValidationError.listing([...flattenValidationErrors(errors), ...more()]);
  return dto;
}

/**
 * 对接管理 (issue 15 item 6, G5.2): the connectors with their status, last sync, last error, counts and webhook URL; add
 * one (the settings and secrets its kind needs), test its credentials, pause, resume, delete; a connector's recent
 * deliveries and the replay of a failed one. Everything through IntegrationsService and IntegrationDeliveriesService, as
 * /api/integrations does it (same checks, same audit entries), for holders of integrations.manage read again from the
 * database. Secrets go in and never come back: the page receives only which secrets are set.
 */
export function integrationsPage(identity: AdminIdentity, integrations: IntegrationsService, deliveries: IntegrationDeliveriesService): PageHandler {
  return async (request, response, context): Promise<IntegrationsPageData> => {
    const base = { kinds: INTEGRATION_KIND_SPECS, items: [], retentionDays: REPLAY_RETENTION_DAYS };
    if (!can(context.currentAdmin, 'integrations.manage')) return { allowed: false, ...base };
    const language = languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const payload = (request.payload ?? {}) as Record<string, unknown>;
    let shown = text(payload.connector) || text(query.connector);
    const answer: Partial<IntegrationsPageData> = {};

    if (request.method === 'post') {
      const op = OPS.find((name) => name === payload.op);
      const id = text(payload.id);
      const outcome = op
        ? await actAs(identity, 'integrations.manage', request, response as Response | undefined, context, (actor, ip) => perform(op, id, payload, { actor, ip }))
        : { refused: 'unknown operation' };
      if ('refused' in outcome) {
        answer.notice = { type: 'error', message: outcome.refused };
        // a name taken is the name field's problem
        const fieldErrors = { ...outcome.fieldErrors, ...(outcome.code === 'conflict' && (op === 'create' || op === 'update') ? { name: outcome.refused } : {}) };
        if (Object.keys(fieldErrors).length) answer.fieldErrors = fieldErrors;
      } else {
        const done = outcome.done;
        answer.notice = { type: 'success', key: done.key, vars: done.vars };
        if (done.test) answer.test = { connectorId: id, ok: done.test.ok, message: translateIntegrationTest(done.test.message, language) };
        if (done.show !== undefined) shown = done.show;
      }
    }

    const { items } = await integrations.list(0, 200);
    const focused = items.find((item) => item.id === shown);
    const recent = focused ? await deliveries.list(focused.id, { offset: 0, limit: DELIVERIES_SHOWN }) : undefined;
    return {
      allowed: true,
      ...base,
      items: items.map(({ updatedAt: _updatedAt, ...item }) => item),
      ...(focused && recent ? { deliveries: { connectorId: focused.id, items: recent.items, total: recent.total } } : {}),
      ...answer,
    };
  };

  async function perform(op: Op, id: string, payload: Record<string, unknown>, by: Acting): Promise<{ key: string; vars?: Record<string, string>; test?: { ok: boolean; message: string }; show?: string }> {
    switch (op) {
      case 'create': {
        // a field left empty is not given: the service says which the kind needs
        const dropEmpty = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
        const input = { kind: text(payload.kind), name: text(payload.name).trim(), settings: dropEmpty(stringsOf(payload.settings, 'settings')), secrets: dropEmpty(stringsOf(payload.secrets, 'secrets')) };
        const body = await checkedDto(CreateIntegrationDto, input, () => integrations.problemsOf(input.kind, input.settings, input.secrets));
        const created = await integrations.create(body, by);
        return { key: 'created', vars: { name: created.name } };
      }
      case 'update': {
        // settings: an emptied one is removed; secrets: only the ones typed anew change (the others are kept as they are)
        const settings = Object.fromEntries(Object.entries(stringsOf(payload.settings, 'settings')).map(([key, value]) => [key, value === '' ? null : value]));
        const secrets = Object.fromEntries(Object.entries(stringsOf(payload.secrets, 'secrets')).filter(([, value]) => value !== ''));
        const body = await checkedDto(UpdateIntegrationDto, { settings, ...(Object.keys(secrets).length ? { secrets } : {}) });
        const updated = await integrations.update(id, body, by);
        return { key: 'updated', vars: { name: updated.name } };
      }
      case 'test': {
        const result = await integrations.test(id);
        return { key: result.ok ? 'testOk' : 'testFailed', test: result };
      }
      case 'pause':
      case 'resume': {
        const updated = await integrations.update(id, { status: op === 'pause' ? 'paused' : 'active' }, by);
        return { key: op === 'pause' ? 'paused' : 'resumed', vars: { name: updated.name } };
      }
      case 'delete': {
        const { name } = await integrations.get(id);
        await integrations.remove(id, by);
        return { key: 'deleted', vars: { name }, show: '' };
      }
      case 'replay': {
        const delivery = await deliveries.replay(id, text(payload.delivery), by);
        return { key: `replayed_${delivery.outcome}`, vars: { delivery: delivery.deliveryId, order: delivery.orderNumber ?? '' }, show: id };
      }
    }
  }
}
