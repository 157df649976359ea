import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { PreviewTemplateDto, RevertTemplateDto, SaveTemplateDto, TestSendDto } from '../../notifications/dto/notification-templates.dto';
import type { Channel } from '../../notifications/notification-events';
import type { NotificationTemplatesService, TemplateKey, TemplatePart } from '../../notifications/notification-templates.service';
import { can, requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { TemplateEditorAnswer } from '../ui-contract';
import { ADMIN_LANGUAGES, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { validateLikeTheApi } from './form-input';
import { actAs } from './operator-action';

type Values = Record<string, unknown>;

const PARTS: readonly TemplatePart[] = ['subject', 'html', 'text'];

const textOf = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
/** A form's optional one-line field: empty is not given. */
const optionalOf = (values: Values, name: string): string | undefined => textOf(values, name)?.trim() || undefined;

/** Which template: the service refuses (not found) anything but a known channel, locale and event. */
const keyOf = (values: Values): TemplateKey => ({ channel: (textOf(values, 'channel') ?? '') as Channel, locale: textOf(values, 'locale') ?? '', event: textOf(values, 'event') ?? '' });

/** The parts the editor sent (the edited ones), exactly as typed: a template's white space is its own. */
const partsOf = (values: Values): Partial<Record<TemplatePart, string>> =>
  Object.fromEntries(PARTS.flatMap((part) => (textOf(values, part) === undefined ? [] : [[part, textOf(values, part)!]])));

const versionOf = (values: Values): unknown => {
  const raw = textOf(values, 'version')?.trim();
  return raw !== undefined && /^\d{1,7}$/.test(raw) ? Number(raw) : raw;
};

const nameOf = (key: TemplateKey) => `${key.channel}/${key.locale}/${key.event}`;

/** A render problem names its file (`email/zh-CN/order-confirmation.subject.hbs`): the editor shows it beside that part. */
function byPart(fieldErrors: Record<string, string>, values: Values): Record<string, string> {
  const key = keyOf(values);
  return Object.fromEntries(
    Object.entries(fieldErrors).map(([path, message]) => {
      const part = PARTS.find((candidate) => path === `${nameOf(key)}.${candidate}.hbs`);
      return [part ?? path, message];
    }),
  );
}

interface EditorStep {
  /** The API route's permission: the action and the step both require it. */
  permission: 'settings.read' | 'settings.manage';
  /** Changes and renders are posted by the editor; only opening a template is a GET. */
  method: 'get' | 'post';
  run(values: Values, actor: Actor): Promise<TemplateEditorAnswer>;
}

/**
 * Issue 7 item 4: the template editor's steps as hidden AdminJS resource actions the editor component
 * (src/admin/components/template-editor.tsx) calls; each checks its input with the HTTP API's DTO and goes through
 * NotificationTemplatesService, as PUT/POST /api/notification-templates/... do. A service's refusal (a part that does not
 * compile: its line and column) comes back as `fieldErrors` by part, never as a failed request.
 */
export function templateEditorActions(templates: NotificationTemplatesService, identity: AdminIdentity, editorComponent: string) {
  const step = (spec: EditorStep): Partial<Action<ActionResponse>> => ({
    actionType: 'resource',
    component: false,
    // called by the editor, never a button of its own
    isVisible: false,
    isAccessible: requirePermission(spec.permission),
    handler: async (request: ActionRequest, response: Response | undefined, context: ActionContext): Promise<TemplateEditorAnswer> => {
      const language = languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
      if (request.method !== spec.method) return { notice: { message: translateFormText('Use the template editor to do this', language), type: 'error' } };
      const values = (spec.method === 'get' ? request.query : request.payload) ?? {};
      const outcome = await actAs(identity, spec.permission, request, response, context, (actor) => spec.run(values, actor));
      // issue 14: what happened, in the operator's language (refusals come translated from actAs)
      if ('done' in outcome) return outcome.done.notice ? { ...outcome.done, notice: { ...outcome.done.notice, message: translateFormText(outcome.done.notice.message, language) } } : outcome.done;
      return { notice: { message: outcome.refused, type: 'error' }, ...(outcome.fieldErrors ? { fieldErrors: byPart(outcome.fieldErrors, values) } : {}) };
    },
  });

  return {
    /** The editor itself: every event × channel × locale with where each part comes from; opening one is in the component. */
    list: {
      component: editorComponent,
      showFilter: false,
      isAccessible: requirePermission('settings.read'),
      handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<TemplateEditorAnswer> => ({
        templates: await templates.list(),
        canManage: can(context.currentAdmin, 'settings.manage'),
      }),
    } satisfies Partial<Action<ActionResponse>>,

    openTemplate: step({
      permission: 'settings.read',
      method: 'get',
      run: async (values) => ({ template: await templates.get(keyOf(values)) }),
    }),

    previewTemplate: step({
      permission: 'settings.read',
      method: 'post',
      run: async (values) => {
        const input = await validateLikeTheApi(PreviewTemplateDto, { ...partsOf(values), orderId: optionalOf(values, 'orderId') });
        const { subject, html, text, locale } = await templates.preview(keyOf(values), { orderId: input.orderId, parts: partsOf(values) });
        return { preview: { subject, html, text, locale } };
      },
    }),

    saveTemplate: step({
      permission: 'settings.manage',
      method: 'post',
      run: async (values, actor) => {
        const key = keyOf(values);
        const parts = partsOf(values);
        const input = await validateLikeTheApi(SaveTemplateDto, { ...parts, note: optionalOf(values, 'note') });
        const template = await templates.save(key, parts, input.note, { actor, ip: null });
        const saved = Object.keys(parts).map((part) => `${part} version ${template.parts[part as TemplatePart]?.version ?? 0}`);
        return { template, notice: { message: `Saved ${nameOf(key)}: ${saved.join(', ')}`, type: 'success' } };
      },
    }),

    revertTemplate: step({
      permission: 'settings.manage',
      method: 'post',
      run: async (values, actor) => {
        const key = keyOf(values);
        const input = await validateLikeTheApi(RevertTemplateDto, { part: textOf(values, 'part'), version: versionOf(values) });
        const template = await templates.revert(key, input.part, input.version, { actor, ip: null });
        const what = input.version === 0 ? 'back to the file' : `back to version ${input.version}`;
        return { template, notice: { message: `${nameOf(key)} ${input.part} is ${what}`, type: 'success' } };
      },
    }),

    testSendTemplate: step({
      permission: 'settings.manage',
      method: 'post',
      run: async (values, actor) => {
        const parts = partsOf(values);
        const input = await validateLikeTheApi(TestSendDto, { ...parts, to: optionalOf(values, 'to'), orderId: optionalOf(values, 'orderId') });
        const sent = await templates.testSend(keyOf(values), { to: input.to, orderId: input.orderId, parts }, actor);
        return { sent, notice: { message: `Test ${sent.channel} sent to ${sent.to}`, type: 'success' } };
      },
    }),
  };
}
