import type { IncomingHttpHeaders } from 'node:http';
import type { Action, ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { AppError } from '../../common/errors';
import { requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { AdminJsModule } from '../admin-runtime';
import type { ActionForm } from '../ui-contract';
import { fieldErrorsOf } from './form-input';

/** What an operator's change did: the order it concerns (the page to show next) and what to tell the operator. */
export interface ChangeDone {
  orderId: string;
  message: string;
}

export interface OperatorActionDeps {
  adminjs: AdminJsModule;
  identity: AdminIdentity;
  /** The order as the detail page shows it (AdminJS record with its detail), for the answer. */
  orderRecord(orderId: string, context: ActionContext): Promise<RecordJSON | undefined>;
}

interface CommonSpec {
  /** The API route's permission (src/auth/permissions.ts): the button and the change both require it. */
  permission: string;
  icon: string;
  variant?: 'primary' | 'danger';
  /** Record actions: whether the order's button shows (its status). */
  isVisible?: (context: ActionContext) => boolean;
}

/** A button that changes the order at once, after AdminJS's confirmation dialog (`guard`). */
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

/**
 * Every change an operator makes in the admin goes through here: refused when a browser sends it from another site,
 * done with the permissions read again from the database (a role may have changed since the login), and a service's
 * refusal (AppError: invalid_state, validation_failed, not_found) comes back as a notice with the fields it names,
 * never as a failed request. Unexpected errors are not hidden.
 */
export function operatorActions(deps: OperatorActionDeps) {
  const { identity } = deps;

  const currentRecord = async (context: ActionContext): Promise<RecordJSON | undefined> => {
    const id = context.record?.id();
    return id ? deps.orderRecord(String(id), context) : undefined;
  };
  const refused = async (context: ActionContext, message: string, fieldErrors?: Record<string, string>): Promise<Answer> => ({
    record: await currentRecord(context),
    notice: { message, type: 'error' },
    ...(fieldErrors ? { fieldErrors } : {}),
  });

  const change = async (
    permission: string,
    request: ActionRequest,
    response: Response | undefined,
    context: ActionContext,
    run: (actor: Actor) => Promise<ChangeDone>,
  ): Promise<Answer> => {
    // The admin's direct buttons call their action with GET; a GET a browser made from another site or as a page
    // navigation (a link in a mail) must not act with the operator's session.
    if (isCrossSiteBrowserRequest(request.method, response?.req?.headers ?? {})) return refused(context, 'Open the order in the admin and use its button to do this');
    const actor = await identity.actorFor(context.currentAdmin);
    if (!actor) return refused(context, 'Your account is no longer active');
    if (!actor.permissions.has('*') && !actor.permissions.has(permission)) return refused(context, 'Your role does not allow this action');
    let done: ChangeDone;
    try {
      done = await run(actor);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // e.g. someone else moved the order meanwhile: say why, and show it as it is now
      return refused(context, error.message, fieldErrorsOf(error));
    }
    return {
      record: await deps.orderRecord(done.orderId, context),
      notice: { message: done.message, type: 'success' },
      redirectUrl: context.h.showUrl(context.resource._decorated?.id() ?? context.resource.id(), done.orderId),
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

    form(spec: FormActionSpec, component: string): Partial<Action<ActionResponse>> {
      return {
        ...common(spec),
        actionType: spec.actionType,
        component,
        handler: async (request, response, context) => {
          if (request.method === 'get') {
            try {
              return { record: await currentRecord(context), form: await spec.form(context) };
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              return refused(context, error.message);
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
