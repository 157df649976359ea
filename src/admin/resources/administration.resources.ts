import type { ActionContext, RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { AuditEntry } from '../../audit/audit-entry.entity';
import { ApiKey } from '../../auth/api-key.entity';
import { PERMISSION_CATALOGUE } from '../../auth/permission-catalogue';
import { ADMIN_ROLE } from '../../auth/roles.service';
import { Role } from '../../auth/role.entity';
import { User } from '../../auth/user.entity';
import { accountActions } from '../actions/account.actions';
import { NAVIGATION, readOnlyActions, requirePermission } from '../admin-access';
import { dropListParams, dropParams } from '../admin-forms';
import type { CheckboxOptions, CodeLabelsOptions } from '../ui-contract';
import { enumProperty, HIDDEN, jsonText, LIST_AND_SHOW, type ResourceDeps, SHOW_ONLY } from './resource-deps';

const MANAGE = 'users.manage';
const canManage = requirePermission(MANAGE);
/** Nothing written through AdminJS's adapter: every change goes through the API's services (accountActions). */
const noAdapterWrites = { delete: { isAccessible: false }, bulkDelete: { isAccessible: false } };
/** The role editor's grid: a checkbox per permission under its area, in the user's words (the code beside it, in grey). */
const PERMISSION_OPTIONS: CheckboxOptions = {
  options: PERMISSION_CATALOGUE.map(({ code, area, description }) => ({ value: code, label: description, group: area, description: code })),
  words: { group: 'permissionArea', label: 'permission' },
};
/** Roles are picked from the roles that exist; built-in ones in the user's words. */
const ROLE_OPTIONS: CheckboxOptions = { optionsFrom: 'Role', words: { label: 'role', detail: 'roleDescription' } };
const roleNames = (components: ResourceDeps['components']) => ({ components: { list: components.CodeLabels, show: components.CodeLabels }, custom: { enumGroup: 'role' } satisfies CodeLabelsOptions });

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
        email: { isDisabled: false, description: 'descUserEmail' },
        displayName: { description: 'descUserName' },
        passwordHash: { isVisible: HIDDEN },
        tokenVersion: { isVisible: HIDDEN },
        password: {
          type: 'password',
          isVisible: { list: false, filter: false, show: false, edit: true },
          description: 'descUserPassword',
        },
        roles: { components: { edit: components.CheckboxGroups, list: components.CodeLabels, show: components.CodeLabels, filter: components.RoleFilter }, custom: { ...ROLE_OPTIONS, enumGroup: 'role' } },
        locale: { ...enumProperty('locale'), description: 'descUserLocale' },
        // issue 14: a new account is active unless unticked
        active: { description: 'descUserActive', components: { edit: components.DefaultOnCheckbox } },
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
        name: { description: 'descRoleName', components: { list: components.CodeLabels, show: components.CodeLabels }, custom: { enumGroup: 'role' } satisfies CodeLabelsOptions },
        description: { components: { list: components.CodeLabels, show: components.CodeLabels }, custom: { enumGroup: 'roleDescription', keyFrom: 'name' } satisfies CodeLabelsOptions },
        permissions: {
          components: { edit: components.CheckboxGroups, list: components.CodeLabels },
          custom: { ...PERMISSION_OPTIONS, enumGroup: 'permission', count: true },
          description: 'descRolePermissions',
        },
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
      properties: { tokenHash: { isVisible: HIDDEN }, lastUsedAt: { description: 'descApiKeyLastUsed' }, roles: roleNames(components) },
      actions: {
        ...readOnlyActions(MANAGE),
        revoke: {
          actionType: 'record',
          icon: 'Slash',
          variant: 'danger',
          component: false,
          guard: 'confirmRevokeApiKey',
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
        action: enumProperty('auditAction'),
        actorKind: enumProperty('actorKind'),
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
