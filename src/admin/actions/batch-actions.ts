import type { Action, ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { ValidationError } from '../../common/errors';
import type { InventoryService } from '../../inventory/inventory.service';
import { ManualAllocationDto } from '../../orders/dto/amend-order.dto';
import { ShipShipmentDto } from '../../orders/dto/create-order.dto';
import { BATCH_ACTIONS, type BatchAction, type BatchResult, type OrderBatchService } from '../../orders/order-batch.service';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { SettingsService } from '../../settings/settings.service';
import { requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { AdminJsModule } from '../admin-runtime';
import type { BatchField, BatchPage } from '../lists-contract';
import { ADMIN_LANGUAGES, ADMIN_TRANSLATIONS, interpolate, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { validateLikeTheApi } from './form-input';
import { actAs, shownAsItIs } from './operator-action';

export interface BatchActionDeps {
  adminjs: AdminJsModule;
  identity: AdminIdentity;
  orders: OrdersService;
  batch: OrderBatchService;
  inventory: InventoryService;
  settings: SettingsService;
  /** components/batch-action.tsx */
  component: string;
}

interface BatchSpec {
  action: BatchAction;
  icon: string;
  fields(): Promise<BatchField[]>;
  /** The form's values read and checked for every order before any is touched; a problem is a ValidationError. */
  prepare(values: Record<string, string>, orders: Array<{ id: string; number: string }>): Promise<(actor: Actor, order: { id: string; number: string }) => Promise<OrderView>>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** `SO261207000001 SF1234567890` per line (space, tab or comma between): the tracking number of each order. */
function trackingNumbersOf(input: string): Map<string, string> {
  const numbers = new Map<string, string>();
  for (const [index, line] of input.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const parts = line.trim().split(/[\s,，]+/);
    if (parts.length !== 2) throw ValidationError.of('trackingNumbers', `line ${index + 1} must be an order number and a tracking number`);
    numbers.set(parts[0], parts[1]);
  }
  return numbers;
}

/**
 * Issue 14 item 6: batch approve, allocate and ship on the order list's selection (AdminJS bulk actions), and batch print.
 * Each order goes through the single action's service call with the single action's permission (OrderBatchService);
 * the answer says per order what happened. A form's input is checked whole before any order is touched.
 */
export function batchActions(deps: BatchActionDeps): Record<string, Partial<Action<ActionResponse>>> {
  const { adminjs, identity, orders, batch, inventory, settings } = deps;

  const carriers = async () => (await settings.get()).carrierPriority.map((code) => ({ value: code, label: code }));

  const specs: BatchSpec[] = [
    {
      action: 'approve',
      icon: 'CheckCircle',
      fields: async () => [],
      prepare: async () => (actor, order) => orders.approve(order.id, actor, `approved by ${actor.name} in the admin (batch)`),
    },
    {
      action: 'allocate',
      icon: 'Archive',
      fields: async () => [
        {
          name: 'warehouse',
          labelKey: 'warehouse',
          kind: 'select',
          options: [{ value: '', label: '' }, ...(await inventory.activeWarehouses()).map((w) => ({ value: w.code, label: `${w.code} ${w.name}` }))],
          helpKey: 'warehouseHelp',
        },
      ],
      prepare: async (values) => {
        const choice = await validateLikeTheApi(ManualAllocationDto, values.warehouse ? { warehouse: values.warehouse } : {});
        return (actor, order) => orders.allocateManually(order.id, choice, actor);
      },
    },
    {
      action: 'ship',
      icon: 'Truck',
      fields: async () => [
        { name: 'carrier', labelKey: 'carrier', kind: 'select', required: true, options: await carriers() },
        { name: 'trackingNumbers', labelKey: 'trackingNumbers', kind: 'textarea', required: true, helpKey: 'trackingNumbersHelp' },
      ],
      prepare: async (values, selected) => {
        const numbers = trackingNumbersOf(values.trackingNumbers ?? '');
        const known = new Set(selected.map((order) => order.number));
        for (const [number, trackingNumber] of numbers) {
          if (!known.has(number)) throw ValidationError.of('trackingNumbers', `order ${number} is not among the selected orders`);
          await validateLikeTheApi(ShipShipmentDto, { carrier: values.carrier, trackingNumber }).catch(() => {
            throw ValidationError.of('trackingNumbers', `the tracking number of order ${number} must be 6-40 letters, digits or -`);
          });
        }
        await validateLikeTheApi(ShipShipmentDto, { carrier: values.carrier, trackingNumber: 'CHECK-CARRIER' });
        if (numbers.size === 0) throw ValidationError.of('trackingNumbers', 'give at least one order number with its tracking number');
        return async (actor, order) => {
          const trackingNumber = numbers.get(order.number);
          if (!trackingNumber) throw ValidationError.of('trackingNumbers', 'no tracking number given');
          return orders.ship(order.id, values.carrier, trackingNumber, actor);
        };
      },
    },
  ];

  const languageIn = (context: ActionContext) => languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
  const recordsOf = (context: ActionContext): RecordJSON[] => (context.records ?? []).map((record) => record.toJSON(context.currentAdmin));
  const listUrl = (context: ActionContext) => context.h.resourceUrl({ resourceId: context.resource._decorated?.id() ?? context.resource.id() });

  const bulk = (spec: BatchSpec): Partial<Action<ActionResponse>> => {
    const { permission } = BATCH_ACTIONS[spec.action];
    return {
      actionType: 'bulk',
      icon: spec.icon,
      component: deps.component,
      isAccessible: requirePermission(permission),
      handler: async (request: ActionRequest, response: Response | undefined, context: ActionContext) => {
        const page: BatchPage = { action: spec.action, fields: await spec.fields(), values: {}, listUrl: listUrl(context) };
        if (request.method === 'get') return { records: recordsOf(context), batch: page };
        const values = Object.fromEntries(Object.entries(adminjs.flat.unflatten<Record<string, unknown>, Record<string, unknown>>(request.payload ?? {})).map(([k, v]) => [k, text(v)]));
        const selected = (context.records ?? []).map((record) => ({ id: String(record.id()), number: String(record.get('number')) }));
        const outcome = await actAs(identity, permission, request, response, context, async (actor): Promise<BatchResult> => {
          const act = await spec.prepare(values, selected);
          return batch.run(spec.action, selected.map((order) => order.id), (order) => act(actor, order));
        });
        const language = languageIn(context);
        if ('refused' in outcome) {
          return {
            records: recordsOf(context),
            batch: { ...page, values },
            notice: shownAsItIs(translateFormText(outcome.refused, language), 'error'),
            ...(outcome.fieldErrors ? { fieldErrors: outcome.fieldErrors } : {}),
          };
        }
        const result = outcome.done;
        // the rows as they are now, so the selection shows the new statuses
        const fresh = await context.resource.findMany(selected.map((order) => order.id), context);
        return {
          records: fresh.map((record) => record.toJSON(context.currentAdmin)),
          batch: { ...page, values, result },
          notice: shownAsItIs(interpolate(ADMIN_TRANSLATIONS[language].server.lists.batchDone, { done: result.done, skipped: result.skipped, failed: result.failed }), result.failed ? 'error' : 'success'),
        };
      },
    };
  };

  const actions: Record<string, Partial<Action<ActionResponse>>> = {};
  for (const spec of specs) actions[`batch${spec.action[0].toUpperCase()}${spec.action.slice(1)}`] = bulk(spec);
  // the labels or packing slips of the selection's shipments as one PDF (admin/order-documents.controller.ts)
  actions.batchPrint = {
    actionType: 'bulk',
    icon: 'Printer',
    component: deps.component,
    isAccessible: requirePermission('orders.read'),
    handler: async (_request, _response, context) => {
      const ids = (context.records ?? []).map((record) => String(record.id()));
      const page: BatchPage = {
        action: 'print',
        fields: [{ name: 'document', labelKey: 'document', kind: 'select', required: true, options: ['label', 'packing-slip', 'invoice'].map((value) => ({ value, label: value })) }],
        values: { document: 'label' },
        downloadUrl: `/admin/orders/documents?orders=${ids.join(',')}`,
        listUrl: listUrl(context),
      };
      return { records: recordsOf(context), batch: page };
    },
  };
  return actions;
}
