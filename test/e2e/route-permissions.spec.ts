import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ANY_SIGNED_IN, PUBLIC_ROUTE, REQUIRED_PERMISSION } from '../../src/auth/auth.decorators';
import { BUILT_IN_ROLES } from '../../src/auth/permissions';
import { useAdminApp } from '../helpers/admin-session';
import { userWithRoles } from '../helpers/fixtures';

interface Route {
  method: string;
  path: string;
  /** What the route declares: a permission, any signed-in caller, or public. */
  access: { permission: string } | 'any-signed-in' | 'public' | 'undeclared';
}

/**
 * Routes without a bearer token, each with why: anything else marked @Public() fails this test. (The admin's own routes
 * check the admin session themselves; the AdminJS matrix test covers them.)
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health': 'load balancers',
  'POST /api/auth/login': 'how a token is obtained',
  'GET /api/public/orders/:token': 'customer link: the signed token is the authentication',
  'POST /api/public/orders/:token/after-sales': 'customer link: the signed token is the authentication',
  'POST /api/public/orders/:token/after-sales/:number/photos': 'customer link: the signed token is the authentication (checked before the upload is read)',
  'GET /returns/:token': 'customer link page',
  'POST /hooks/:id': "providers' webhooks: the provider's signature over the raw body is the authentication (integrations.spec.ts)",
  'GET /workflow-ui/assets/*path': 'static bundles of the workflow pages (no data)',
  'GET /workflow-ui/:page': 'redirect to the same page under /admin',
  'GET /admin/workflow-ui/:page': 'admin session checked by the controller',
  'POST /admin/workflow-ui/token': 'admin session checked by the controller',
  'GET /admin/after-sales/cases/:caseId/attachments/:attachmentId': 'admin session and aftersales.read checked by the controller',
  'GET /admin/backups/:id/download': 'admin session and backups.manage checked by the controller',
  'GET /admin/reports/download/:report': 'admin session and reports.read checked by the controller',
  'GET /admin/orders/export': 'admin session and orders.read checked by the controller: the order list as CSV / XLSX',
  'GET /admin/orders/documents': 'admin session and orders.read checked by the controller: the selection\'s shipment documents',
  'POST /admin/account/locale': "admin session checked by the controller: a user's own language",
  'GET /admin/warehouse/shipments/:id/:file': "admin session and orders.read (as the API's shipment documents) checked by the controller",
  'GET /admin/warehouse/pick-lists/:id/print': "admin session and orders.read (as GET /api/pick-lists/{id}) checked by the controller",
  'GET /admin/warehouse/pick-lists/:id/labels.pdf': "admin session and orders.read (as the API's shipment documents) checked by the controller",
  'GET /admin-fonts/fonts.css': "the admin's font stylesheet (no data; the login page needs it)",
  'GET /admin-fonts/:family/:file': "the admin's font files (no data)",
};

const METHODS: Record<number, string> = {
  [RequestMethod.GET]: 'GET', [RequestMethod.POST]: 'POST', [RequestMethod.PUT]: 'PUT', [RequestMethod.PATCH]: 'PATCH', [RequestMethod.DELETE]: 'DELETE',
};

const joinPath = (...parts: string[]) => `/${parts.flatMap((part) => part.split('/')).filter(Boolean).join('/')}`;

/** Every route of every controller, read from Nest's metadata (not a list kept by hand). */
function routesOf(container: ModulesContainer): Route[] {
  const routes: Route[] = [];
  for (const module of container.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
        if (method === undefined) continue;
        const read = (key: string) => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        const permission = read(REQUIRED_PERMISSION) as string | undefined;
        const access: Route['access'] = read(PUBLIC_ROUTE) ? 'public' : permission ? { permission } : read(ANY_SIGNED_IN) ? 'any-signed-in' : 'undeclared';
        for (const prefix of prefixes) {
          for (const path of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[]) {
            routes.push({ method: METHODS[method] ?? String(method), path: joinPath(prefix, path), access });
          }
        }
      }
    }
  }
  return routes;
}

/** A concrete URL for a route: every parameter a well-formed id of nothing. */
const urlOf = (path: string) => path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000').replace(/\*[A-Za-z]+/g, 'nothing');
const describeRoute = (route: Route) => `${route.method} ${route.path}`;

/**
 * Issue 11 acceptance: every route × every built-in role, an integration's API key and no token, from the controllers'
 * metadata. A route that declares no permission (and is not a listed public route) fails it.
 */
describe('route × role permission matrix (G3.3)', () => {
  // with the admin, so that its controllers (the workflow pages, evidence for the admin) are in the matrix too
  const test = useAdminApp();
  let routes: Route[];
  const callers: Array<{ name: string; permissions: Set<string>; auth: () => Record<string, string>; renew: () => Promise<void> }> = [];

  beforeAll(async () => {
    routes = routesOf(test.app.running.app.get(ModulesContainer));
    for (const role of BUILT_IN_ROLES) {
      const user = await userWithRoles(test.app, role.name);
      let auth = user.auth;
      callers.push({
        name: `role ${role.name}`,
        permissions: new Set(role.permissions),
        auth: () => auth,
        renew: async () => {
          auth = { Authorization: `Bearer ${await test.app.login(user.email, 'role-password-1')}` };
        },
      });
    }
    const newKey = async () => (await test.app.http.post('/api/api-keys').set(test.auth).send({ name: 'matrix-integration', roles: ['integration'] }).expect(201)).body.key as string;
    let key = await newKey();
    const integration = BUILT_IN_ROLES.find((role) => role.name === 'integration')!;
    callers.push({
      name: 'API key (integration)',
      permissions: new Set(integration.permissions),
      auth: () => ({ Authorization: `Bearer ${key}` }),
      renew: async () => {
        key = await newKey(); // a key that signed out is revoked
      },
    });
  });

  const call = (route: Route, auth: Record<string, string>) =>
    (test.app.http as unknown as Record<string, (url: string) => import('supertest').Test>)[route.method.toLowerCase()](urlOf(route.path)).set(auth).send({});

  it('finds the API routes in the controllers', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.map(describeRoute)).toEqual(expect.arrayContaining(['POST /api/orders', 'POST /api/workflows/:key/versions', 'POST /api/after-sales/:id/refund']));
  });

  it('/metrics is in the matrix: metrics.read, which of the built-in roles only admin holds (a scraper\'s METRICS_TOKEN: metrics.spec.ts)', () => {
    expect(routes.filter((route) => route.path === '/metrics')).toEqual([{ method: 'GET', path: '/metrics', access: { permission: 'metrics.read' } }]);
    expect(BUILT_IN_ROLES.filter((role) => role.permissions.includes('metrics.read') || role.permissions.includes('*')).map((role) => role.name)).toEqual(['admin']);
  });

  it('every route declares who may use it; public routes are only the listed ones', () => {
    expect(routes.filter((route) => route.access === 'undeclared').map(describeRoute)).toEqual([]);
    expect(routes.filter((route) => route.access === 'public').map(describeRoute).sort()).toEqual(Object.keys(PUBLIC_ROUTES).sort());
  });

  it('without a token every route but the public ones answers 401', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((candidate) => candidate.access !== 'public')) {
      const response = await call(route, {});
      if (response.status !== 401 || response.body.error?.code !== 'unauthorized') answers.push(`${describeRoute(route)} → ${response.status}`);
    }
    expect(answers).toEqual([]);
  });

  it('each role and the API key reach exactly the routes their permissions allow (403 forbidden otherwise)', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const caller of callers) {
      for (const route of routes.filter((candidate) => candidate.access !== 'public')) {
        const { access } = route;
        const allowed = access === 'any-signed-in' || caller.permissions.has('*') || (typeof access === 'object' && caller.permissions.has(access.permission));
        const response = await call(route, caller.auth());
        checked++;
        const refused = response.status === 403 && response.body.error?.code === 'forbidden';
        if (allowed && (refused || response.status === 401 || response.status >= 500)) wrong.push(`${caller.name}: ${describeRoute(route)} → ${response.status} (should pass the permission check)`);
        if (!allowed && !refused) wrong.push(`${caller.name}: ${describeRoute(route)} → ${response.status} (should be 403)`);
        // a route that signs the caller out ends this token: take a new one for the next routes
        if (response.status < 300 && /\/auth\/logout$/.test(route.path)) await caller.renew();
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(callers.length * routes.filter((route) => route.access !== 'public').length);
  }, 180_000); // every route × every built-in role (the wms role made it ~55 s on a loaded machine, near jest's 60 s)
});
