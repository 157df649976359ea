import type { ActionContext, ActionRequest, RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { hashPassword } from '../../auth/password-hasher';
import { BUILT_IN_ROLES, PERMISSIONS } from '../../auth/permissions';
import { Role } from '../../auth/role.entity';
import { User } from '../../auth/user.entity';
import { adminsOnly, isAdmin, NAVIGATION } from '../admin-access';
import { dropParams, type FormErrors, guardForm } from '../admin-forms';
import { HIDDEN, type ResourceDeps } from './resource-deps';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 8;
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const BUILT_IN_ROLE_NAMES = new Set(BUILT_IN_ROLES.map((role) => role.name));
const GRANTABLE = new Set<string>(['*', ...PERMISSIONS]);
/** Set by a form guard when the change must sign the affected people out (see the after-hooks). */
const ENDS_SESSIONS = 'omsEndsSessions';

const sameSet = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item) => b.includes(item));

/** G3.3: users, roles and their permissions; admins only. Password hashes never leave the server. */
export function administrationResources({ adminjs, db, sessions }: ResourceDeps): ResourceWithOptions[] {
  const userForm = guardForm(
    adminjs,
    {
      email: { kind: 'text', required: true, maxLength: 254, pattern: { regex: EMAIL, message: 'must be an email address' } },
      displayName: { kind: 'text', maxLength: 100 },
      roles: { kind: 'text[]' },
      active: { kind: 'boolean' },
      password: { kind: 'text', maxLength: 200 },
    },
    async (payload, context: ActionContext, errors: FormErrors) => {
      const creating = context.action.name === 'new';
      const userId = creating ? undefined : String(context.record?.id());
      const previous = context.record?.params ?? {};

      if (typeof payload.email === 'string') {
        payload.email = payload.email.toLowerCase();
        const [taken] = await db.query(`SELECT 1 FROM app_user WHERE lower(email) = $1 AND id IS DISTINCT FROM $2`, [payload.email, userId ?? null]);
        if (taken) errors.email = { message: 'another user has this email', type: 'unique' };
      }
      if (payload.displayName === null) payload.displayName = '';
      if (Array.isArray(payload.roles)) {
        const known = new Set((await db.getRepository(Role).find()).map((role) => role.name));
        const unknown = (payload.roles as string[]).filter((role) => !known.has(role));
        if (unknown.length > 0) errors.roles = { message: `unknown role(s): ${unknown.join(', ')}`, type: 'unknown' };
      }
      const password = payload.password;
      delete payload.password;
      if (typeof password === 'string') {
        if (password.length < MIN_PASSWORD_LENGTH) errors.password = { message: `must be at least ${MIN_PASSWORD_LENGTH} characters`, type: 'length' };
        else payload.passwordHash = await hashPassword(password);
      } else if (creating) {
        errors.password = { message: 'is required for a new user', type: 'required' };
      }
      if (!creating && userId === context.currentAdmin?.id) {
        // nobody locks themselves out
        if (payload.active === false) errors.active = { message: 'you cannot deactivate your own account', type: 'self' };
        if (Array.isArray(payload.roles) && !payload.roles.includes('admin')) errors.roles = { message: 'you cannot remove your own admin role', type: 'self' };
      }
      if (!creating) {
        const rolesChanged = Array.isArray(payload.roles) && !sameSet(payload.roles, adminjs.flat.get(previous, 'roles'));
        context[ENDS_SESSIONS] = payload.active === false || rolesChanged || payload.passwordHash !== undefined;
      }
    },
  );

  const endUserSessions = async (response: RecordActionResponse, _request: ActionRequest, context: ActionContext) => {
    const id = response.record?.id;
    const saved = response.notice?.type === 'success';
    if (saved && context[ENDS_SESSIONS] && id && id !== context.currentAdmin?.id) await sessions.endSessionsOf(String(id));
    return response;
  };
  const noSecrets = dropParams('passwordHash', 'password');

  const user: ResourceWithOptions = {
    resource: User,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'email',
      sort: { sortBy: 'email', direction: 'asc' },
      listProperties: ['email', 'displayName', 'roles', 'active', 'lastLoginAt'],
      filterProperties: ['email', 'displayName', 'roles', 'active'],
      showProperties: ['email', 'displayName', 'roles', 'active', 'lastLoginAt', 'createdAt', 'updatedAt'],
      editProperties: ['email', 'displayName', 'roles', 'active', 'password'],
      properties: {
        passwordHash: { isVisible: HIDDEN },
        password: {
          type: 'password',
          isVisible: { list: false, filter: false, show: false, edit: true },
          description: `at least ${MIN_PASSWORD_LENGTH} characters; leave empty to keep the current password`,
        },
        roles: { description: 'role names, e.g. operator, warehouse, finance, analyst, admin' },
      },
      actions: {
        list: { isAccessible: adminsOnly },
        search: { isAccessible: adminsOnly },
        show: { isAccessible: adminsOnly, after: noSecrets },
        new: { isAccessible: adminsOnly, before: userForm, after: noSecrets },
        edit: { isAccessible: adminsOnly, before: userForm, after: [noSecrets, endUserSessions] },
        // accounts are deactivated, not deleted: history rows and tokens refer to them
        delete: { isAccessible: false },
        bulkDelete: { isAccessible: false },
      },
    },
  };

  const roleForm = guardForm(
    adminjs,
    {
      name: { kind: 'text', required: true, createOnly: true, pattern: { regex: ROLE_NAME, message: 'must be 1-40 lower-case letters, digits, _ or -, starting with a letter' } },
      description: { kind: 'text', maxLength: 200 },
      permissions: { kind: 'text[]' },
    },
    async (payload, context: ActionContext, errors: FormErrors) => {
      if (payload.description === null) payload.description = '';
      if (Array.isArray(payload.permissions)) {
        const unknown = (payload.permissions as string[]).filter((permission) => !GRANTABLE.has(permission));
        if (unknown.length > 0) errors.permissions = { message: `unknown permission(s): ${unknown.join(', ')}; known: ${[...GRANTABLE].join(', ')}`, type: 'unknown' };
        const previous = adminjs.flat.get(context.record?.params ?? {}, 'permissions');
        context[ENDS_SESSIONS] = context.action.name === 'edit' && !sameSet(payload.permissions, previous);
      }
    },
  );
  const endRoleSessions = async (response: RecordActionResponse, _request: ActionRequest, context: ActionContext) => {
    const name = response.record?.id;
    if (response.notice?.type === 'success' && context[ENDS_SESSIONS] && name) await sessions.endSessionsWithRole(String(name), context.currentAdmin?.id);
    return response;
  };
  // the admin role keeps `*`; built-in roles stay (they are re-created at start anyway)
  const notAdminRole = ({ currentAdmin, record }: ActionContext) => isAdmin(currentAdmin) && record?.id() !== 'admin';
  const notBuiltIn = ({ currentAdmin, record }: ActionContext) => isAdmin(currentAdmin) && !BUILT_IN_ROLE_NAMES.has(String(record?.id()));

  const role: ResourceWithOptions = {
    resource: Role,
    options: {
      navigation: NAVIGATION.administration,
      titleProperty: 'name',
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['name', 'description', 'permissions'],
      properties: {
        permissions: { description: `any of: * (everything), ${PERMISSIONS.join(', ')}` },
      },
      actions: {
        list: { isAccessible: adminsOnly },
        search: { isAccessible: adminsOnly },
        show: { isAccessible: adminsOnly },
        new: { isAccessible: adminsOnly, before: roleForm },
        edit: { isAccessible: notAdminRole, before: roleForm, after: endRoleSessions },
        delete: {
          isAccessible: notBuiltIn,
          before: async (request: ActionRequest, context: ActionContext) => {
            const name = String(context.record?.id());
            const [{ holders }] = await db.query(`SELECT count(*)::int AS holders FROM app_user WHERE $1 = ANY(roles)`, [name]);
            if (holders > 0) throw new adminjs.ValidationError({}, { message: `${holders} user(s) hold the role ${name}; take it from them first`, type: 'in_use' });
            return request;
          },
        },
        bulkDelete: { isAccessible: false },
      },
    },
  };

  return [user, role];
}
