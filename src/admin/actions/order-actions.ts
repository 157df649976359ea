import type { IncomingHttpHeaders } from 'node:http';
import type { Action, ActionContext, ActionRequest, RecordActionResponse } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { AppError } from '../../common/errors';
import { APPROVABLE_STATUSES, CANCELLABLE_STATUSES, type OrderStatus } from '../../orders/order-status';
import type { OrdersService } from '../../orders/orders.service';
import type { OrderView } from '../../orders/order-view';
import { requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';

const MAX_REASON_LENGTH = 500;

interface OrderActionSpec {
  permission: string;
  visibleIn: readonly OrderStatus[];
  guard: string;
  icon: string;
  variant: 'primary' | 'danger';
  run(orders: OrdersService, orderId: string, reason: string, actor: Actor): Promise<OrderView>;
  defaultReason(actor: Actor): string;
  done(view: OrderView): string;
}

/** G2.2: approve, reject with a reason, cancel where the rules allow. The same service calls as the API's. */
const SPECS: Record<'approve' | 'reject' | 'cancel', OrderActionSpec> = {
  approve: {
    permission: 'orders.approve',
    visibleIn: APPROVABLE_STATUSES,
    guard: 'confirmApproveOrder',
    icon: 'CheckCircle',
    variant: 'primary',
    run: (orders, id, reason, actor) => orders.approve(id, actor, reason),
    defaultReason: (actor) => `approved by ${actor.name} in the admin`,
    done: (view) => `Order ${view.number} approved`,
  },
  reject: {
    permission: 'orders.approve',
    visibleIn: ['pending_review'],
    guard: 'confirmRejectOrder',
    icon: 'XCircle',
    variant: 'danger',
    run: (orders, id, reason, actor) => orders.reject(id, reason, actor),
    defaultReason: (actor) => `by ${actor.name} in the admin`,
    done: (view) => `Order ${view.number} rejected; it is now ${view.status}`,
  },
  cancel: {
    permission: 'orders.write',
    // before shipped: the statuses from which the status machine allows `cancelled`
    visibleIn: CANCELLABLE_STATUSES,
    guard: 'confirmCancelOrder',
    icon: 'Slash',
    variant: 'danger',
    run: (orders, id, reason, actor) => orders.cancel(id, reason, actor),
    defaultReason: (actor) => `by ${actor.name} in the admin`,
    done: (view) => `Order ${view.number} cancelled`,
  },
};

export function orderActions(orders: OrdersService, identity: AdminIdentity): Record<keyof typeof SPECS, Partial<Action<RecordActionResponse>>> {
  const build = (name: keyof typeof SPECS): Partial<Action<RecordActionResponse>> => {
    const spec = SPECS[name];
    return {
      actionType: 'record',
      component: false,
      icon: spec.icon,
      variant: spec.variant,
      guard: spec.guard,
      isAccessible: requirePermission(spec.permission),
      isVisible: ({ record }: ActionContext) => {
        const status = record?.get('status') as OrderStatus | undefined;
        if (!status || !spec.visibleIn.includes(status)) return false;
        return name !== 'approve' || !record?.get('approvedAt');
      },
      handler: async (request: ActionRequest, response: Response | undefined, context: ActionContext): Promise<RecordActionResponse> => {
        const { record, resource, currentAdmin, h } = context;
        if (!record) throw new Error(`the ${name} action needs an order`);
        const unchanged = (message: string): RecordActionResponse => ({ record: record.toJSON(currentAdmin), notice: { message, type: 'error' } });

        // The admin's buttons call these actions with GET; refuse a GET that a browser made from another site
        // or as a page navigation (a link in a mail), so a link cannot act with the operator's session.
        if (isCrossSiteBrowserRequest(request.method, response?.req?.headers ?? {})) return unchanged('Open the order in the admin and use its button to do this');
        // permissions from the database, not the session: a role may have changed since the login
        const actor = await identity.actorFor(currentAdmin);
        if (!actor) return unchanged('Your account is no longer active');
        if (!actor.permissions.has('*') && !actor.permissions.has(spec.permission)) return unchanged('Your role does not allow this action');
        const given = reasonFrom(request);
        if (given !== undefined && given.length > MAX_REASON_LENGTH) return unchanged(`The reason must be at most ${MAX_REASON_LENGTH} characters`);

        const orderId = String(record.id());
        let view: OrderView;
        try {
          view = await spec.run(orders, orderId, given || spec.defaultReason(actor), actor);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          // e.g. someone else changed the order meanwhile: say why, and show it as it is now
          const current = (await resource.findOne(orderId, context)) ?? record;
          return { record: current.toJSON(currentAdmin), notice: { message: error.message, type: 'error' } };
        }
        const refreshed = (await resource.findOne(orderId, context)) ?? record;
        return {
          record: refreshed.toJSON(currentAdmin),
          notice: { message: spec.done(view), type: 'success' },
          redirectUrl: h.recordActionUrl({ resourceId: resource._decorated?.id() ?? resource.id(), recordId: orderId, actionName: 'show' }),
        };
      },
    };
  };
  return { approve: build('approve'), reject: build('reject'), cancel: build('cancel') };
}

function reasonFrom(request: ActionRequest): string | undefined {
  const value = request.payload?.reason ?? request.query?.reason;
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Fetch metadata (Sec-Fetch-*) that browsers send; scripts and tests send none and are not cross-site requests. */
function isCrossSiteBrowserRequest(method: ActionRequest['method'], headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  return method === 'get' && headers['sec-fetch-mode'] === 'navigate';
}
