import type { ActionContext, ActionHandler, ActionRequest, PageHandler, RecordActionResponse, RecordJSON } from 'adminjs';
import type { Response } from 'express';
import type { Acting } from '../../audit/acting';
import type { ApiKeysService } from '../../auth/api-keys.service';
import { passwordProblem } from '../../auth/credentials-policy';
import { RoleDto } from '../../auth/dto/role.dto';
import { CreateUserDto, UpdateUserDto } from '../../auth/dto/user.dto';
import type { RolesService } from '../../auth/roles.service';
import type { UsersService } from '../../auth/users.service';
import { NotFoundError, ValidationError } from '../../common/errors';
import type { AdminIdentity } from '../admin-auth';
import type { AdminJsModule } from '../admin-runtime';
import { ADMIN_LANGUAGES, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { validateLikeTheApi } from './form-input';
import { actAs, shownAsItIs } from './operator-action';

export interface AccountActionDeps {
  adminjs: AdminJsModule;
  identity: AdminIdentity;
  users: UsersService;
  roles: RolesService;
  apiKeys: ApiKeysService;
}

type Values = Record<string, unknown>;
/** Form params never sent back to the browser, even in an answer that refuses them. */
const SECRETS = ['password', 'passwordHash', 'tokenHash', 'tokenVersion'];

const withoutSecrets = (record: RecordJSON): RecordJSON => ({
  ...record,
  params: Object.fromEntries(Object.entries(record.params).filter(([key]) => !SECRETS.some((secret) => key === secret || key.startsWith(`${secret}.`)))),
});
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
/** A password exactly as typed (never trimmed: the login does not trim either); an empty field is none. */
const password = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** A list the form posts as `roles.0`, `roles.1` (unflattened to an array or an index-keyed object), or empty. */
const list = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
  return items.filter((item): item is string => typeof item === 'string' && item !== '' && !item.startsWith('__FORM_VALUE_'));
};
/** A notice in the user's language (issue 14), shown as written. */
const noticeFor = (context: Pick<ActionContext, 'currentAdmin'>, message: string, type: 'success' | 'error') =>
  shownAsItIs(translateFormText(message, languageOf(context.currentAdmin, ADMIN_LANGUAGES[0])), type);
const flag = (value: unknown): boolean | undefined => (value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined);

interface ServiceFormSpec {
  permission: string;
  /** The form's field for an API field (`name` → `displayName`); others keep their name. */
  fields?: Record<string, string>;
  /** Where a duplicate (409 conflict) is shown. */
  conflictField: string;
  save(values: Values, by: Acting, context: ActionContext): Promise<{ id: string; message: string }>;
}

/**
 * AdminJS's own new / edit forms, but saved through the service the API uses (UsersService, RolesService), so the admin
 * and the API apply the same rules and record the same audit entries; refusals come back as AdminJS shows them (field
 * errors beside the fields, the reason as a notice).
 */
function serviceForm({ adminjs, identity }: AccountActionDeps, spec: ServiceFormSpec): ActionHandler<RecordActionResponse> {
  return async (request: ActionRequest, response: Response | undefined, context: ActionContext) => {
    const { resource, record, currentAdmin, h } = context;
    const current: RecordJSON = withoutSecrets((record ?? (await resource.build({}))).toJSON(currentAdmin));
    if (request.method === 'get') return { record: current };
    const values = adminjs.flat.unflatten<Values, Values>(request.payload ?? {});
    const outcome = await actAs(identity, spec.permission, request, response, context, (actor, ip) => spec.save(values, { actor, ip }, context));
    const resourceId = resource._decorated?.id() ?? resource.id();
    if ('done' in outcome) {
      const saved = await resource.findOne(outcome.done.id, context);
      return { record: saved ? withoutSecrets(saved.toJSON(currentAdmin)) : current, redirectUrl: h.showUrl(resourceId, outcome.done.id), notice: noticeFor(context, outcome.done.message, 'success') };
    }
    const errors: Record<string, { message: string; type: string }> = {};
    for (const [path, message] of Object.entries(outcome.fieldErrors ?? {})) {
      const field = path.split('.')[0];
      errors[spec.fields?.[field] ?? field] ??= { message, type: 'invalid' };
    }
    if (outcome.code === 'conflict') errors[spec.conflictField] = { message: outcome.refused, type: 'conflict' };
    return { record: withoutSecrets({ ...current, params: { ...current.params, ...(request.payload ?? {}) }, errors }), notice: noticeFor(context, outcome.refused, 'error') };
  };
}

/** A record action done at once after AdminJS's confirmation (delete a role, revoke a key), through the service. */
function serviceAction({ identity }: AccountActionDeps, permission: string, run: (id: string, by: Acting) => Promise<string>, leave: 'list' | 'record'): ActionHandler<RecordActionResponse> {
  return async (request: ActionRequest, response: Response | undefined, context: ActionContext) => {
    const { resource, record, currentAdmin, h } = context;
    if (!record) throw new NotFoundError('Record', String(request.params.recordId));
    const id = String(record.id());
    const outcome = await actAs(identity, permission, request, response, context, (actor, ip) => run(id, { actor, ip }));
    const resourceId = resource._decorated?.id() ?? resource.id();
    if ('refused' in outcome) return { record: withoutSecrets(record.toJSON(currentAdmin)), notice: noticeFor(context, outcome.refused, 'error') };
    const now = leave === 'record' ? await resource.findOne(id, context) : null;
    return {
      record: withoutSecrets((now ?? record).toJSON(currentAdmin)),
      redirectUrl: leave === 'list' ? h.resourceUrl({ resourceId }) : h.showUrl(resourceId, id),
      notice: noticeFor(context, outcome.done, 'success'),
    };
  };
}

/** G3.3 in the admin: users, roles and API keys change only through the API's services. */
export function accountActions(deps: AccountActionDeps) {
  const { users, roles, apiKeys } = deps;
  const userFields = { name: 'displayName', disabled: 'active' };
  return {
    newUser: serviceForm(deps, {
      permission: 'users.manage',
      fields: userFields,
      conflictField: 'email',
      save: async (values, by) => {
        const input = await validateLikeTheApi(CreateUserDto, {
          email: text(values.email), name: text(values.displayName) ?? '', password: password(values.password), roles: list(values.roles) ?? [], locale: text(values.locale),
        });
        const user = await users.create(input, by);
        // Active is ticked by default; unticked, the account is made and disabled at once (POST /api/users has no such field)
        if (flag(values.active) === false) await users.update(user.id, { disabled: true }, by);
        return { id: user.id, message: `User ${user.email} created` };
      },
    }),

    editUser: serviceForm(deps, {
      permission: 'users.manage',
      fields: userFields,
      conflictField: 'email',
      save: async (values, by, context) => {
        const id = String(context.record?.id());
        const active = flag(values.active);
        const change = await validateLikeTheApi(UpdateUserDto, { name: text(values.displayName) ?? '', roles: list(values.roles), disabled: active === undefined ? undefined : !active, locale: text(values.locale) });
        const newPassword = password(values.password);
        // the password is checked before anything is saved, so that a refused one leaves the rest unsaved too
        const problem = newPassword === undefined ? null : passwordProblem(newPassword, (await users.get(id)).email);
        if (problem) throw ValidationError.of('password', problem);
        const user = await users.update(id, change, by);
        if (newPassword !== undefined) await users.setPassword(id, newPassword, by);
        return { id, message: `User ${user.email} saved${newPassword === undefined ? '' : '; their sessions ended with the new password'}` };
      },
    }),

    newRole: serviceForm(deps, {
      permission: 'users.manage',
      conflictField: 'name',
      save: async (values, by) => {
        const input = await validateLikeTheApi(RoleDto, { name: text(values.name), description: text(values.description) ?? '', permissions: list(values.permissions) ?? [] });
        const role = await roles.create(input.name, input, by);
        return { id: role.name, message: `Role ${role.name} created` };
      },
    }),

    editRole: serviceForm(deps, {
      permission: 'users.manage',
      conflictField: 'name',
      save: async (values, by, context) => {
        const name = String(context.record?.id());
        const input = await validateLikeTheApi(RoleDto, { name, description: text(values.description) ?? '', permissions: list(values.permissions) ?? [] });
        await roles.update(name, input, by);
        return { id: name, message: `Role ${name} saved; its holders have the new permissions from their next request` };
      },
    }),

    deleteRole: serviceAction(deps, 'users.manage', async (name, by) => {
      await roles.remove(name, by);
      return `Role ${name} deleted`;
    }, 'list'),

    revokeApiKey: serviceAction(deps, 'users.manage', async (id, by) => {
      await apiKeys.revoke(id, by);
      return 'The key is revoked: it answers 401 from now on';
    }, 'record'),
  };
}

/** The "Change my password" page's handler: GET says whose password; POST changes it with the current one. */
export function changePasswordPage({ identity, users }: AccountActionDeps): PageHandler {
  return async (request, response, context) => {
    if (request.method !== 'post') return { email: context.currentAdmin?.email ?? null };
    const values = (request.payload ?? {}) as Values;
    const outcome = await actAs(identity, null, request, response as Response | undefined, context, (actor, ip) =>
      users.changeOwnPassword(actor.id, password(values.currentPassword) ?? '', password(values.newPassword) ?? '', { actor, ip }),
    );
    if ('refused' in outcome) return { notice: noticeFor(context, outcome.refused, 'error'), fieldErrors: outcome.fieldErrors ?? {} };
    return { notice: noticeFor(context, 'Your password is changed; sign in again with it', 'success'), redirectUrl: context.h.loginUrl?.() ?? '/admin/login' };
  };
}
