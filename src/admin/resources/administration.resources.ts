import type { ActionContext, RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { AUDIT_ACTIONS } from '../../audit/audit-actions';
import { AuditEntry } from '../../audit/audit-entry.entity';
import { ApiKey } from '../../auth/api-key.entity';
import { PERMISSION_CATALOGUE } from '../../auth/permission-catalogue';
import { ADMIN_ROLE } from '../../auth/roles.service';
import { Role } from '../../auth/role.entity';
import { User, USER_LOCALES } from '../../auth/user.entity';
import { accountActions } from '../actions/account.actions';
import { NAVIGATION, readOnlyActions, requirePermission } from '../admin-access';
import { dropListParams, dropParams } from '../admin-forms';
import type { CheckboxOptions } from '../ui-contract';
import { choices, HIDDEN, jsonText, LIST_AND_SHOW, type ResourceDeps, SHOW_ONLY } from './resource-deps';

const MANAGE = 'users.manage';
const canManage = requirePermission(MANAGE);
/** Nothing written through AdminJS's adapter: every change goes through the API's services (accountActions). */
const noAdapterWrites = { delete: { isAccessible: false }, bulkDelete: { isAccessible: false } };
const PERMISSION_OPTIONS: CheckboxOptions = { options: PERMISSION_CATALOGUE.map(({ code, area, description }) => ({ value: code, label: code, group: area, description })) };

/**
 * G3.3: users, roles, API keys and the audit log, for holders of users.manage (as the API). Users and roles are saved by
 * UsersService and RolesService, the API's own: same password policy, same protection of the last admin and of one's
 * own roles, same audit entries, sessions ended the same way. Password hashes and key hashes never leave the server.
 */
export function administrationResources(deps: ResourceDeps): ResourceWithOptions[] {
  const { adminjs, components } = deps;
  const actions = accountActions(deps);
  const noSecrets = dropParams('passwordHash', 'password', 'tokenVersion');

  const user: ResourceWithOptions = {
    resource: User,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'email',
      sort: { sortBy: 'email', direction: 'asc' },
      listProperties: ['email', 'displayName', 'roles', 'active', 'locale', 'lastLoginAt'],
      filterProperties: ['email', 'displayName', 'roles', 'active', 'locale'],
      showProperties: ['email', 'displayName', 'roles', 'active', 'locale', 'lastLoginAt', 'createdAt', 'updatedAt'],
      editProperties: ['email', 'displayName', 'roles', 'active', 'locale', 'password'],
      properties: {
        email: { isDisabled: false, description: 'stored lower-case; cannot be changed once created' },
        displayName: { description: 'the name shown in histories' },
        passwordHash: { isVisible: HIDDEN },
        tokenVersion: { isVisible: HIDDEN },
        password: {
          type: 'password',
          isVisible: { list: false, filter: false, show: false, edit: true },
          description: 'at least 12 characters, not a common password, not the email; taken exactly as typed. When editing: leave empty to keep it (a new one ends all of the user\u2019s sessions)',
        },
        roles: { components: { edit: components.CheckboxGroups }, custom: { optionsFrom: 'Role' } satisfies CheckboxOptions },
        locale: { availableValues: choices(USER_LOCALES) },
        active: { description: 'unticked: the user cannot sign in; their tokens and sessions end at once' },
      },
      actions: {
        list: { isAccessible: canManage },
        search: { isAccessible: canManage },
        show: { isAccessible: canManage, after: noSecrets },
        new: { isAccessible: canManage, handler: actions.newUser },
        edit: { isAccessible: canManage, handler: actions.editUser },
        // accounts are disabled, not deleted: history rows and the audit log refer to them
        ...noAdapterWrites,
      },
    },
  };

  const role: ResourceWithOptions = {
    resource: Role,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'name',
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['name', 'description', 'permissions'],
      editProperties: ['name', 'description', 'permissions'],
      properties: {
        name: { description: '1-40 lower-case letters, digits, _ or -; cannot be changed once created' },
        permissions: { components: { edit: components.CheckboxGroups }, custom: PERMISSION_OPTIONS, description: 'the admin role holds every permission (*)' },
      },
      actions: {
        list: { isAccessible: canManage },
        search: { isAccessible: canManage },
        show: { isAccessible: canManage },
        new: { isAccessible: canManage, handler: actions.newRole },
        // the admin role keeps everything; the service refuses it too (409)
        edit: { isAccessible: (context: ActionContext) => canManage(context) && context.record?.id() !== ADMIN_ROLE, handler: actions.editRole },
        delete: { isAccessible: (context: ActionContext) => canManage(context) && context.record?.id() !== ADMIN_ROLE, handler: actions.deleteRole },
        bulkDelete: { isAccessible: false },
      },
    },
  };

  const apiKey: ResourceWithOptions = {
    resource: ApiKey,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'name',
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['name', 'roles', 'createdBy', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'],
      showProperties: ['name', 'roles', 'createdBy', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt', 'revokedBy'],
      filterProperties: ['name', 'roles', 'createdBy', 'revokedAt'],
      properties: { tokenHash: { isVisible: HIDDEN }, lastUsedAt: { description: 'to the minute' } },
      actions: {
        ...readOnlyActions(MANAGE),
        revoke: {
          actionType: 'record',
          icon: 'Slash',
          variant: 'danger',
          component: false,
          guard: 'Revoke this key? Integrations using it are refused from their next request.',
          isAccessible: canManage,
          isVisible: (context: ActionContext) => canManage(context) && !context.record?.params.revokedAt,
          handler: actions.revokeApiKey,
        },
      },
    },
  };

  const auditEntry: ResourceWithOptions = {
    resource: AuditEntry,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'action',
      sort: { sortBy: 'at', direction: 'desc' },
      listProperties: ['at', 'actor', 'action', 'target', 'ip'],
      filterProperties: ['at', 'actor', 'action', 'target', 'ip'],
      showProperties: ['at', 'actor', 'actorKind', 'actorId', 'action', 'target', 'ip', 'detailsText'],
      properties: {
        action: { availableValues: choices(AUDIT_ACTIONS) },
        actorKind: { availableValues: choices(['user', 'api_key', 'system', 'anonymous']) },
        details: { isVisible: HIDDEN },
        detailsText: { type: 'textarea', isVisible: SHOW_ONLY },
        ip: { isVisible: LIST_AND_SHOW },
      },
      // append-only (a database trigger refuses changes as well): looked at, never changed
      actions: {
        ...readOnlyActions(MANAGE),
        list: { isAccessible: canManage, after: dropListParams('details') },
        show: {
          isAccessible: canManage,
          after: async (response: RecordActionResponse) => {
            if (response.record) response.record.params.detailsText = jsonText(adminjs, response.record.params, 'details');
            return response;
          },
        },
      },
    },
  };

  return [user, role, apiKey, auditEntry];
}
