import type AdminJS from 'adminjs';
import type { ActionContext, ActionDecorator, ActionRequest, ActionResponse, BaseResource, CurrentAdmin, RecordJSON } from 'adminjs';
import { AppError, NotFoundError } from '../common/errors';
import type { AdminJsModule } from './admin-runtime';

type ActionKind = 'resource' | 'record' | 'bulk';
type Params = Record<string, string | undefined>;
interface ControllerOptions {
  admin: AdminJS;
}

/** Whether an action may be used at all: a rule that looks at the record is asked without one, and decides again with it. */
export function mayUse(action: ActionDecorator, currentAdmin: CurrentAdmin | undefined): boolean {
  try {
    return Boolean(action.isAccessible(currentAdmin));
  } catch {
    return true;
  }
}

const isKind = (action: ActionDecorator, kind: ActionKind) =>
  kind === 'record' ? action.isRecordType() : kind === 'bulk' ? action.isBulkType() : action.isResourceType();

/** A resource's id check (the typeorm adapter's, admin-resource-adapter.ts): a malformed id can name no record. */
const acceptsId = (resource: BaseResource, id: string) => {
  const check = (resource as BaseResource & { acceptsId?: (id: string) => boolean }).acceptsId;
  return check ? check.call(resource, id) : true;
};

/** The resource and action a request names; an unknown one is 404 (AdminJS's own lookup throws, which answered 500). */
function lookUp(admin: AdminJS, params: Params, kind?: ActionKind): { resource: BaseResource; action?: ActionDecorator } {
  const resourceId = String(params.resourceId ?? '');
  const resource = admin.resources.find((candidate) => candidate._decorated?.id() === resourceId);
  if (!resource) throw new NotFoundError('Admin resource', resourceId);
  if (!kind) return { resource };
  const actionName = String(params.action ?? params.actionName ?? '');
  const actions = resource.decorate().actions;
  const action = Object.hasOwn(actions, actionName) ? actions[actionName] : undefined;
  if (!action || !isKind(action, kind)) throw new NotFoundError(`Admin ${kind} action`, `${resourceId}/${actionName}`);
  return { resource, action };
}

/** Where a NUL character is in a request's params, query or form (PostgreSQL cannot store or compare one), if anywhere. */
function nulCharacterAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${path}.${key}` : nulCharacterAt(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Refuses text with a NUL character (422), after the permission check and before anything reads it. */
function refuseNulCharacters(request: ActionRequest): void {
  const at = nulCharacterAt({ params: request.params, query: request.query, payload: request.payload }, 'request');
  if (at) throw new AppError(422, 'validation_failed', 'Text cannot contain a NUL character (\\u0000)', [{ path: at.replace(/^request\./, ''), message: 'contains a NUL character' }]);
}

/** Record ids of a bulk action's `?recordIds=a,b`: given, and each one well-formed for the resource. */
function bulkIds(resource: BaseResource, query: ActionRequest['query']): string[] {
  const raw = query?.recordIds;
  if (typeof raw !== 'string' || raw === '') throw new AppError(400, 'bad_request', 'Choose the records: ?recordIds=<id>,<id>');
  const ids = raw.split(',');
  const malformed = ids.find((id) => !acceptsId(resource, id));
  if (malformed !== undefined) throw new NotFoundError(`${resource._decorated?.id() ?? resource.id()} record`, malformed);
  return ids;
}

/**
 * AdminJS's API and page controllers, checked before AdminJS acts:
 * - an unknown resource or action, an action called by the wrong kind of route, or a malformed record id is a 404
 *   (AdminJS answered 500);
 * - text with a NUL character is refused (422) once the permission is checked;
 * - the permission is checked first, before the record is looked up and before the action's before-hooks run (AdminJS
 *   runs before-hooks — our form checks — before its own check): someone without the permission gets the same
 *   "forbidden" for a record that exists and one that does not, and never a validation message;
 * - referenced records (`populated`) of a resource the admin may not read are left out of the answer.
 * They replace AdminJS's ApiController and AppController in its routes (see useCheckedControllers).
 */
export function checkedControllers(adminjs: AdminJsModule) {
  const { ApiController, AppController, ViewHelpers, ForbiddenError, actionErrorHandler, requestParser, populator } = adminjs;

  class CheckedApiController {
    private readonly admin: AdminJS;
    private readonly original: InstanceType<typeof ApiController>;

    constructor(
      options: ControllerOptions,
      private readonly currentAdmin: CurrentAdmin | undefined,
    ) {
      this.admin = options.admin;
      this.original = new ApiController(options, currentAdmin);
    }

    async search(request: ActionRequest, response: unknown): Promise<ActionResponse> {
      return this.resourceAction({ ...request, params: { ...request.params, action: 'search' } }, response);
    }

    async resourceAction(original: ActionRequest, response: unknown): Promise<ActionResponse> {
      const context = this.contextOf(original, 'resource');
      if (!mayUse(context.action, this.currentAdmin)) return this.forbidden(context);
      refuseNulCharacters(original);
      if (context.action.name === 'new' && original.method !== 'post') throw new AppError(400, 'bad_request', 'A new record is created by posting its form');
      const request = requestParser(original, context.resource);
      return this.readable(await context.action.handler(request, response, context), context.resource);
    }

    async recordAction(original: ActionRequest, response: unknown): Promise<ActionResponse> {
      const context = this.contextOf(original, 'record');
      if (!mayUse(context.action, this.currentAdmin)) return this.forbidden(context);
      refuseNulCharacters(original);
      const recordId = String(original.params.recordId ?? '');
      const name = context.resource._decorated?.id() ?? context.resource.id();
      if (!acceptsId(context.resource, recordId)) throw new NotFoundError(`${name} record`, recordId);
      const record = await context.resource.findOne(recordId, context);
      if (!record) return actionErrorHandler(new adminjs.NotFoundError(`${name} record ${recordId} was not found`, 'Action#handler'), context);
      if (!context.action.isAccessible(this.currentAdmin, record)) return this.forbidden(context);
      const [populated] = await populator([record], context);
      const request = requestParser(original, context.resource);
      const answer = await context.action.handler(request, response, { ...context, record: populated });
      const handled = answer?.record?.recordActions || answer?.notice?.type === 'error';
      if (!handled) throw new Error(`the ${name} ${context.action.name} action did not answer with its record`);
      return this.readable(answer, context.resource);
    }

    async bulkAction(original: ActionRequest, response: unknown): Promise<ActionResponse> {
      const context = this.contextOf(original, 'bulk');
      if (!mayUse(context.action, this.currentAdmin)) return this.forbidden(context);
      refuseNulCharacters(original);
      const ids = bulkIds(context.resource, original.query);
      const records = await context.resource.findMany(ids, context);
      const name = context.resource._decorated?.id() ?? context.resource.id();
      if (records.length === 0) throw new NotFoundError(`${name} records`, ids.join(','));
      if (records.some((record) => !context.action.isAccessible(this.currentAdmin, record))) return this.forbidden(context);
      const request = requestParser(original, context.resource);
      const answer = await context.action.handler(request, response, { ...context, records: await populator(records, context) });
      if (!answer?.records) throw new Error(`the ${name} ${context.action.name} action did not answer with its records`);
      return this.readable(answer, context.resource);
    }

    dashboard(request: ActionRequest, response: unknown) {
      return this.original.dashboard(request, response);
    }

    page(request: ActionRequest, response: unknown) {
      return this.original.page(request, response);
    }

    private contextOf(request: ActionRequest, kind: ActionKind): ActionContext & { action: ActionDecorator } {
      const { resource, action } = lookUp(this.admin, request.params as Params, kind);
      return { resource, action: action!, h: new ViewHelpers({ options: this.admin.options }), currentAdmin: this.currentAdmin, _admin: this.admin };
    }

    /** AdminJS's own "forbidden" answer (the UI shows it as a notice), with no record data. */
    private forbidden(context: ActionContext): ActionResponse {
      return actionErrorHandler(new ForbiddenError('forbiddenError'), { ...context, record: undefined, records: undefined });
    }

    /** Leaves out the referenced records of resources this admin may not read (a case's process instance for finance). */
    private readable(answer: ActionResponse, resource: BaseResource): ActionResponse {
      const records = [answer?.record, ...(Array.isArray(answer?.records) ? answer.records : [])] as Array<RecordJSON | undefined>;
      const decorated = resource.decorate();
      for (const record of records) {
        for (const path of Object.keys(record?.populated ?? {})) {
          const show = decorated.getPropertyByKey(path)?.reference()?.decorate().actions.show;
          if (!show || !mayUse(show, this.currentAdmin)) delete record!.populated[path];
        }
      }
      return answer;
    }
  }

  /** The pages (one HTML shell each): an unknown resource, action or malformed record id is a 404, not an empty page. */
  class CheckedAppController {
    private readonly admin: AdminJS;
    private readonly original: InstanceType<typeof AppController>;

    constructor(options: ControllerOptions, currentAdmin: CurrentAdmin | undefined) {
      this.admin = options.admin;
      this.original = new AppController(options, currentAdmin);
    }

    index() {
      return this.original.index();
    }

    resource(request: ActionRequest) {
      lookUp(this.admin, request.params as Params);
      return this.original.resource(request);
    }

    resourceAction(request: ActionRequest) {
      lookUp(this.admin, request.params as Params, 'resource');
      return this.original.resourceAction(request);
    }

    recordAction(request: ActionRequest) {
      const { resource } = lookUp(this.admin, request.params as Params, 'record');
      const recordId = String(request.params.recordId ?? '');
      if (!acceptsId(resource, recordId)) throw new NotFoundError(`${resource._decorated?.id()} record`, recordId);
      return this.original.recordAction(request);
    }

    bulkAction(request: ActionRequest) {
      const { resource } = lookUp(this.admin, request.params as Params, 'bulk');
      bulkIds(resource, request.query);
      return this.original.bulkAction(request);
    }

    page(request: ActionRequest) {
      return this.original.page(request);
    }

    bundleComponents() {
      return this.original.bundleComponents();
    }
  }

  return { CheckedApiController, CheckedAppController };
}

/** Points AdminJS's routes (its Router, shared by the process) at the checked controllers; @adminjs/express builds on them. */
export function useCheckedControllers(adminjs: AdminJsModule): void {
  const { CheckedApiController, CheckedAppController } = checkedControllers(adminjs);
  for (const route of adminjs.Router.routes) {
    if (route.Controller === adminjs.ApiController) route.Controller = CheckedApiController;
    if (route.Controller === adminjs.AppController) route.Controller = CheckedAppController;
  }
}
