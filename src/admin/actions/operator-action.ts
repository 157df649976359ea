import type { IncomingHttpHeaders } from 'node:http';
import type { Action, ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { AppError, type ErrorCode } from '../../common/errors';
import { requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { AdminJsModule } from '../admin-runtime';
import { ADMIN_LANGUAGES, languageOf } from '../locale';
import { translateForm, translateFormText } from '../locale/forms';
import { translateFieldErrors, translateRefusal } from '../locale/refusals';
import type { ActionForm } from '../ui-contract';
import { fieldErrorsOf } from './form-input';

/** What an operator's change did: the record it concerns (an order, a case) and what to tell the operator. */
export interface ChangeDone {
  /** The action's resource's record to answer with, and to show next. */
  recordId: string;
  message: string;
  /** The page to show next when it is not that record's (a case opened from its order). */
  showUrl?: string;
}

export interface OperatorActionDeps {
  adminjs: AdminJsModule;
  identity: AdminIdentity;
  /** The action resource's record as its detail page shows it (AdminJS record with its detail), for the answer. */
  recordOf(recordId: string, context: ActionContext): Promise<RecordJSON | undefined>;
  /** The React component every form action opens (src/admin/components/action-form.tsx). */
  formComponent: string;
}

interface CommonSpec {
  /** The API route's permission (src/auth/permissions.ts): the button and the change both require it. */
  permission: string;
  icon: string;
  variant?: 'primary' | 'danger';
  /** Record actions: whether the record's button shows (its status). */
  isVisible?: (context: ActionContext) => boolean;
}

/** A button that changes the record at once, after AdminJS's confirmation dialog (`guard`). */
export interface DirectActionSpec extends CommonSpec {
  guard: string;
  run(actor: Actor, context: ActionContext, request: ActionRequest): Promise<ChangeDone>;
}

/** A button that opens a form (src/admin/components/action-form.tsx): GET answers the form, POST submits it. */
export interface FormActionSpec extends CommonSpec {
  actionType: 'record' | 'resource';
  form(context: ActionContext): Promise<ActionForm>;
  submit(input: Record<string, unknown>, actor: Actor, context: ActionContext): Promise<ChangeDone>;
}

type Answer = ActionResponse & { record?: RecordJSON };

/** What a guarded change came to: the change's result, or why it was not done (with the fields the service named). */
export type Outcome<T> = { done: T } | { refused: string; fieldErrors?: Record<string, string>; code?: ErrorCode };

/**
 * Every change an operator makes in the admin goes through here: refused when a browser sends it from another site,
 * done with the permissions read again from the database (a role may have changed since the login), and a service's
 * refusal (AppError: invalid_state, validation_failed, not_found) comes back as the reason with the fields it names,
 * never as a failed request. Unexpected errors are not hidden.
 */
export async function actAs<T>(
  identity: AdminIdentity,
  /** null: any signed-in user may (their own password). */
  permission: string | null,
  request: Pick<ActionRequest, 'method'>,
  response: Response | undefined,
  context: Pick<ActionContext, 'currentAdmin'>,
  run: (actor: Actor, ip: string | null) => Promise<T>,
): Promise<Outcome<T>> {
  // The admin's direct buttons call their action with GET; a GET a browser made from another site or as a page
  // navigation (a link in a mail) must not act with the operator's session.
  // issue 14: the reason in the operator's language (the services say it in English, for the API)
  const language = languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
  const refuse = (message: string, code?: ErrorCode, fieldErrors?: Record<string, string>): Outcome<T> => ({
    refused: translateRefusal(message, code, language),
    ...(fieldErrors ? { fieldErrors: translateFieldErrors(fieldErrors, language) } : {}),
    ...(code ? { code } : {}),
  });
  if (isCrossSiteBrowserRequest(request.method, response?.req?.headers ?? {})) return refuse('Open it in the admin and use its button there to do this');
  const actor = await identity.actorFor(context.currentAdmin);
  if (!actor) return refuse('Your account is no longer active');
  if (permission && !actor.permissions.has('*') && !actor.permissions.has(permission)) return refuse('Your role does not allow this action', 'forbidden');
  try {
    return { done: await run(actor, response?.req?.ip ?? null) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // e.g. someone else moved the order or case meanwhile: say why
    return refuse(error.message, error.code, fieldErrorsOf(error));
  }
}

/**
 * A notice whose text is already in the user's words: AdminJS translates a notice's message as a key and, when it is none,
 * shows it in Start Case ("Order So 1 Approved"); the default value keeps it as written.
 */
export const shownAsItIs = (message: string, type: 'success' | 'error') => ({ message, type, options: { defaultValue: message } });

/** The record actions of operatorActions: their answer is the record as it is now, with what happened as a notice. */
export function operatorActions(deps: OperatorActionDeps) {
  const { identity } = deps;

  const currentRecord = async (context: ActionContext): Promise<RecordJSON | undefined> => {
    const id = context.record?.id();
    return id ? deps.recordOf(String(id), context) : undefined;
  };
  // issue 14: forms and notices in the user's language (they are written in English)
  const languageIn = (context: ActionContext) => languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
  const refused = async (context: ActionContext, message: string, fieldErrors?: Record<string, string>, code?: ErrorCode): Promise<Answer> => ({
    record: await currentRecord(context),
    notice: shownAsItIs(translateRefusal(message, code, languageIn(context)), 'error'),
    ...(fieldErrors ? { fieldErrors } : {}),
  });

  const change = async (
    permission: string,
    request: ActionRequest,
    response: Response | undefined,
    context: ActionContext,
    run: (actor: Actor) => Promise<ChangeDone>,
  ): Promise<Answer> => {
    const outcome = await actAs(identity, permission, request, response, context, run);
    if ('refused' in outcome) return refused(context, outcome.refused, outcome.fieldErrors);
    const { done } = outcome;
    return {
      record: await deps.recordOf(done.recordId, context),
      notice: shownAsItIs(translateFormText(done.message, languageIn(context)), 'success'),
      redirectUrl: done.showUrl ?? context.h.showUrl(context.resource._decorated?.id() ?? context.resource.id(), done.recordId),
    };
  };

  const common = (spec: CommonSpec) => ({
    icon: spec.icon,
    variant: spec.variant ?? 'primary',
    isAccessible: requirePermission(spec.permission),
    ...(spec.isVisible ? { isVisible: spec.isVisible } : {}),
  });

  return {
    direct(spec: DirectActionSpec): Partial<Action<ActionResponse>> {
      return {
        ...common(spec),
        actionType: 'record',
        component: false,
        guard: spec.guard,
        handler: (request, response, context) => change(spec.permission, request, response, context, (actor) => spec.run(actor, context, request)),
      };
    },

    form(spec: FormActionSpec): Partial<Action<ActionResponse>> {
      return {
        ...common(spec),
        actionType: spec.actionType,
        component: deps.formComponent,
        handler: async (request, response, context) => {
          if (request.method === 'get') {
            try {
              return { record: await currentRecord(context), form: translateForm(await spec.form(context), languageIn(context)) };
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              return refused(context, error.message, undefined, error.code);
            }
          }
          const input = deps.adminjs.flat.unflatten<Record<string, unknown>, Record<string, unknown>>(request.payload ?? {});
          return change(spec.permission, request, response, context, (actor) => spec.submit(input, actor, context));
        },
      };
    },
  };
}

export type OperatorActions = ReturnType<typeof operatorActions>;

/** Fetch metadata (Sec-Fetch-*) that browsers send; scripts and tests send none and are not cross-site requests. */
function isCrossSiteBrowserRequest(method: ActionRequest['method'], headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  return method === 'get' && headers['sec-fetch-mode'] === 'navigate';
}
