import type { Response } from 'supertest';
import { type DatabaseChanges, watchDatabaseChanges } from '../helpers/database-changes';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/** JSON values no field expects, as raw JSON text (1e309 cannot be written by JSON.stringify). */
const HOSTILE_JSON: Array<[string, string]> = [
  ['a NUL byte', '"a\\u0000b"'],
  ['2^40', String(2 ** 40)],
  ['-1', '-1'],
  ['1e309', '1e309'],
  ['a fraction', '1.5'],
  ['an empty string', '""'],
  ['100,000 characters', JSON.stringify('长'.repeat(100_000))],
  ['an array', '[]'],
  ['an array of an object', '[{}]'],
  ['an object', '{}'],
  ['an object of a string', '{"a":"b"}'],
  ['true', 'true'],
  ['null', 'null'],
  ['a lone surrogate', '"\\ud800"'],
  ['a right-to-left override', '"\\u202egpj.exe"'],
  ['astral characters', '"𠜎😀"'],
  ['a numeric string', '"12"'],
  ['an impossible date', '"2026-02-30"'],
];

/** Query values no filter expects, percent-encoded as a client would send them. */
const HOSTILE_QUERY: string[] = ['%00', 'a%00b', '', 'x'.repeat(5000), '-1', '1e309', '99999999999999999999', '2026-02-30', '%F0%9F', '%E2%80%AE', "'%20OR%201=1--"];
/** The same parameter twice (an array) and a nested one, as `name` is replaced by the parameter. */
const HOSTILE_QUERY_SHAPES = ['name=a&name=b', 'name[a]=1', `name${'[a]'.repeat(100)}=1`];
/** Path segments no id looks like. */
const HOSTILE_IDS: string[] = ['%00', 'a%00b', 'x'.repeat(3000), '%F0%9F', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AE', '-1', '99999999999999999999', "'%3B%20DROP%20TABLE%20customer_order%3B--"];

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}
interface Operation {
  parameters?: Array<{ in: 'path' | 'query'; name: string; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const PLACEHOLDER = '__HOSTILE_VALUE__';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A plausible body from the documented schema (examples, enums, then types), for one field at a time to be spoiled. */
function sampleOf(schema: Schema | undefined, doc: OpenApi, depth = 0): Json {
  if (!schema || depth > 6) return null;
  if (schema.$ref) return sampleOf(doc.components.schemas[schema.$ref.split('/').pop()!], doc, depth + 1);
  if (schema.allOf?.length) return sampleOf(schema.allOf[0], doc, depth + 1);
  if (schema.example !== undefined) return schema.example as Json;
  if (schema.enum?.length) return schema.enum[0] as Json;
  if (schema.default !== undefined) return schema.default as Json;
  if (schema.type === 'array') return [sampleOf(schema.items, doc, depth + 1)];
  if (schema.properties) return Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, sampleOf(property, doc, depth + 1)]));
  return { string: 'x', integer: 1, number: 1, boolean: true, object: {} }[schema.type ?? 'object'] ?? null;
}

/** Every place of a body a hostile value can go: each field, each nested field, the first item of each list. */
function leavesOf(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const own = path.length ? [path] : [];
  if (Array.isArray(value)) return [...own, ...(value.length ? leavesOf(value[0], [...path, 0]) : [])];
  if (value && typeof value === 'object') return [...own, ...Object.entries(value).flatMap(([key, inner]) => leavesOf(inner, [...path, key]))];
  return own;
}

function withPlaceholder(value: Json, path: Array<string | number>): Json {
  if (!path.length) return PLACEHOLDER;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, index) => (index === head ? withPlaceholder(item, rest) : item));
  return { ...(value as Record<string, Json>), [head]: withPlaceholder((value as Record<string, Json>)[head], rest) };
}

/**
 * Issue 11 item 7: every POST/PUT/PATCH route and every query filter of the OpenAPI document (/api/docs-json, so a new
 * route is probed without touching this test) gets values no client should send — NUL bytes, 2^40, 1e309, empty and
 * huge strings, lists for objects and objects for strings, unicode oddities — in each field, filter and id. None may
 * answer 500, every refusal is an API.md error, and a refused request changes nothing in the database.
 */
describe('probing every route of the API with hostile values', () => {
  let database: TestDatabase;
  let app: TestApp;
  let auth: Record<string, string>;
  const http = () => app.http;
  let changes: DatabaseChanges;
  const ids: Record<string, string> = {};
  /** Refusals that only the database made (the error filter's fallback): the validation in front of it missed them. */
  const databaseRefusals: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // the fixtures need the workflow worker (an order reaches awaiting_shipment); the probe runs on the same database
    // without it, so that nothing writes in the background while a refused request is checked for changes
    app = await startTestApp({ database });
    auth = { Authorization: `Bearer ${await app.login()}` };
    await createFixtures();
    await app.close();
    app = await startTestApp({ database, env: { WORKER_CONCURRENCY: '0' } });
    auth = { Authorization: `Bearer ${await app.login()}` };
    const warn = app.running.logger.warn.bind(app.running.logger);
    app.running.logger.warn = (message: unknown, ...rest: unknown[]) => {
      if (String(message).includes('reached the database unchecked')) databaseRefusals.push(String(message).split('\n')[0]);
      warn(message, ...rest);
    };
    changes = await watchDatabaseChanges(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  async function createFixtures(): Promise<void> {
    const token = auth.Authorization.slice('Bearer '.length);
    const sku = unique('HP');
    const { warehouse } = await stockedCatalogue(app, token, { [sku]: 50 });
    const order = (await http().post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 2 }])).expect(201)).body;
    await eventually(async () => ((await http().get(`/api/orders/${order.id}`).set(auth)).body.status === 'awaiting_shipment' ? true : undefined), { what: 'the order to await shipment' });
    const shipped = (await http().post(`/api/orders/${order.id}/shipments`).set(auth).send({ carrier: 'sf', trackingNumber: unique('SF').slice(0, 30) }).expect(200)).body;
    const afterSales = (await http().post(`/api/orders/${order.id}/after-sales`).set(auth).send({ type: 'damaged', lines: [{ sku, quantity: 1 }], reason: '破损' }).expect(201)).body;
    const link = (await http().post(`/api/orders/${order.id}/customer-link`).set(auth).expect(201)).body;
    Object.assign(ids, {
      orders: order.id, 'after-sales': afterSales.id, shipments: shipped.shipments[0].id, 'process-instances': order.processInstanceId, products: sku,
      warehouse, sku, key: 'order-fulfillment', version: '1', channel: 'email', locale: 'zh-CN', event: 'order-confirmation', token: link.token, carrier: 'sf',
    });
  }

  /** A real id for a path parameter where the fixtures have one (the segment before it names the resource), else a fresh UUID. */
  const pathWith = (template: string, hostile?: { name: string; value: string }) =>
    template.replace(/\{(\w+)\}/g, (_, name: string, offset: number) => {
      if (hostile?.name === name) return hostile.value;
      const resource = template.slice(0, offset).split('/').filter(Boolean).pop() ?? '';
      return encodeURIComponent(ids[name === 'id' ? resource : name] ?? '00000000-0000-4000-8000-000000000000');
    });

  it('no route answers 500, refusals are API.md errors, and refused requests change nothing', async () => {
    const doc: OpenApi = (await http().get('/api/docs-json').expect(200)).body;
    const problems: string[] = [];
    let sent = 0;

    const check = async (what: string, send: () => Promise<Response>) => {
      const mark = await changes.mark();
      const refusalsBefore = databaseRefusals.length;
      const response = await send();
      sent++;
      if (databaseRefusals.length > refusalsBefore) problems.push(`${what}: refused by the database, not by validation: ${databaseRefusals.at(-1)}`);
      if (response.status >= 500) problems.push(`${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      else if (response.status >= 400) {
        const code = response.body?.error?.code;
        if (typeof code !== 'string' || typeof response.body.error.message !== 'string') problems.push(`${what}: ${response.status} without an API error body`);
        const changed = await changes.since(mark);
        if (changed.length) problems.push(`${what}: refused with ${response.status} ${code} but changed ${changed.join(', ')}`);
      }
    };

    for (const [template, operations] of Object.entries(doc.paths)) {
      if (!template.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const call = (path: string) => http()[method as 'get' | 'post' | 'put' | 'patch' | 'delete'](path).set(auth);
        const route = `${method.toUpperCase()} ${template}`;
        const pathParams = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        const queryParams = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');

        if (method !== 'get') {
          const content = operation.requestBody?.content ?? {};
          const schema = content['application/json']?.schema;
          const base = schema ? sampleOf(schema, doc) : {};
          const places = [[], ...leavesOf(base)];
          for (const place of places) {
            const body = JSON.stringify(withPlaceholder(base, place));
            for (const [label, raw] of HOSTILE_JSON) {
              await check(`${route} ${place.join('.') || 'body'} = ${label}`, () => call(pathWith(template)).set('Content-Type', 'application/json').send(body.replace(`"${PLACEHOLDER}"`, raw)));
            }
          }
          // routes that take text (XML diagrams) get the text forms too
          if (!schema) {
            for (const [label, raw] of HOSTILE_JSON.filter(([, raw]) => raw.startsWith('"'))) {
              await check(`${route} xml body = ${label}`, () => call(pathWith(template)).set('Content-Type', 'application/xml').send(JSON.parse(raw) as string));
            }
          }
        }

        for (const { name } of queryParams) {
          for (const value of HOSTILE_QUERY) await check(`${route} ?${name}=${value.slice(0, 20)}`, () => call(`${pathWith(template)}?${name}=${value}`));
          for (const shape of HOSTILE_QUERY_SHAPES) await check(`${route} ?${shape.replaceAll('name', name).slice(0, 40)}`, () => call(`${pathWith(template)}?${shape.replaceAll('name', name)}`));
        }

        for (const { name } of pathParams) {
          for (const value of HOSTILE_IDS) {
            await check(`${route} {${name}}=${value.slice(0, 20)}`, () => call(pathWith(template, { name, value })).send(method === 'get' ? undefined : {}));
          }
        }
      }
    }

    expect(sent).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
  }, 900_000);
});
