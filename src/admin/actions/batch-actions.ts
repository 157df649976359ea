import type { Action, ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import type { Response } from 'express';
import type { Actor } from '../../common/actor';
import { ValidationError } from '../../common/errors';
import type { InventoryService } from '../../inventory/inventory.service';
import { ManualAllocationDto } from '../../orders/dto/amend-order.dto';
import { ShipShipmentDto } from '../../orders/dto/create-order.dto';
import { BATCH_ACTIONS, type BatchAction, type BatchResult, type OrderBatchService } from '../../orders/order-batch.service';
import { type OrderStatus, SHIPPABLE_STATUSES } from '../../orders/order-status';
import type { OrderView } from '../../orders/order-view';
import type { OrdersService } from '../../orders/orders.service';
import type { SettingsService } from '../../settings/settings.service';
import { requirePermission } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { AdminJsModule } from '../admin-runtime';
import type { BatchField, BatchPage } from '../lists-contract';
import { ADMIN_LANGUAGES, ADMIN_TRANSLATIONS, interpolate, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { translateRefusal } from '../locale/refusals';
import { everythingUnshipped } from './allocate-order.action';
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

/** A selected order as the list showed it. */
interface Selected {
  id: string;
  number: string;
  status: OrderStatus;
}

interface BatchSpec {
  action: BatchAction;
  icon: string;
  fields(): Promise<BatchField[]>;
  /** The form's values read and checked for every order before any is touched; a problem is a ValidationError. */
  prepare(values: Record<string, string>, orders: Selected[]): Promise<(actor: Actor, order: { id: string; number: string }) => Promise<OrderView>>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** `SO261207000001 SF1234567890` per line (space, tab or comma between): the tracking number of each order. */
function trackingNumbersOf(input: string): Map<string, string> {
  const numbers = new Map<string, string>();
  for (const [index, line] of input.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const parts = line.trim().split(/[\s,，]+/);
    if (parts.length !== 2) throw ValidationError.of('trackingNumbers', `line ${index + 1} must be an order number and a tracking number`);
    // a second line for the same order would silently replace the first: say so instead
    if (numbers.has(parts[0])) throw ValidationError.of('trackingNumbers', `order ${parts[0]} is given twice (line ${index + 1})`);
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
        // empty: the rules choose for each order, as the single Allocate
        if (!values.warehouse) return async (actor, order) => orders.allocateManually(order.id, everythingUnshipped(await orders.get(order.id)), actor);
        const choice = await validateLikeTheApi(ManualAllocationDto, { warehouse: values.warehouse });
        // an unknown warehouse is the form's mistake, said once, not a failure of every order
        if (!(await inventory.activeWarehouses()).some((warehouse) => warehouse.code === choice.warehouse)) {
          throw ValidationError.of('warehouse', `${choice.warehouse} is not an active warehouse`);
        }
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
        // the carrier first: checked with each tracking number, a wrong carrier would read as a wrong tracking number
        await validateLikeTheApi(ShipShipmentDto, { carrier: values.carrier, trackingNumber: 'CHECK-CARRIER' });
        const numbers = trackingNumbersOf(values.trackingNumbers ?? '');
        const known = new Set(selected.map((order) => order.number));
        for (const [number, trackingNumber] of numbers) {
          if (!known.has(number)) throw ValidationError.of('trackingNumbers', `order ${number} is not among the selected orders`);
          await validateLikeTheApi(ShipShipmentDto, { carrier: values.carrier, trackingNumber }).catch(() => {
            throw ValidationError.of('trackingNumbers', `the tracking number of order ${number} must be 6-40 letters, digits or -`);
          });
        }
        if (numbers.size === 0) throw ValidationError.of('trackingNumbers', 'give at least one order number with its tracking number');
        // every order that will ship needs its number: else part of the batch would ship and the rest fail
        const without = selected.filter((order) => SHIPPABLE_STATUSES.includes(order.status) && !numbers.has(order.number)).map((order) => order.number);
        if (without.length) throw ValidationError.of('trackingNumbers', `no tracking number for order ${without.join(', ')}`);
        return async (actor, order) => {
          const trackingNumber = numbers.get(order.number);
          if (!trackingNumber) throw ValidationError.of('trackingNumbers', 'no tracking number given');
          return orders.ship(order.id, values.carrier, trackingNumber, actor);
        };
      },
    },
  ];

  const languageIn = (context: ActionContext) => languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
  /** The selected records in the order the list sent them (AdminJS finds them in the database's order). */
  const selectionOf = (request: ActionRequest, context: ActionContext) => {
    const sent = String(request.query?.recordIds ?? '').split(',');
    const position = (id: string) => (sent.includes(id) ? sent.indexOf(id) : sent.length);
    return [...(context.records ?? [])].sort((a, b) => position(String(a.id())) - position(String(b.id())));
  };
  const recordsOf = (request: ActionRequest, context: ActionContext): RecordJSON[] => selectionOf(request, context).map((record) => record.toJSON(context.currentAdmin));
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
        if (request.method === 'get') return { records: recordsOf(request, context), batch: page };
        const values = Object.fromEntries(Object.entries(adminjs.flat.unflatten<Record<string, unknown>, Record<string, unknown>>(request.payload ?? {})).map(([k, v]) => [k, text(v)]));
        const selected = selectionOf(request, context).map((record) => ({ id: String(record.id()), number: String(record.get('number')), status: record.get('status') as OrderStatus }));
        const outcome = await actAs(identity, permission, request, response, context, async (actor): Promise<BatchResult> => {
          const act = await spec.prepare(values, selected);
          return batch.run(spec.action, selected.map((order) => order.id), (order) => act(actor, order));
        });
        const language = languageIn(context);
        if ('refused' in outcome) {
          return {
            records: recordsOf(request, context),
            batch: { ...page, values },
            notice: shownAsItIs(translateFormText(outcome.refused, language), 'error'),
            ...(outcome.fieldErrors ? { fieldErrors: outcome.fieldErrors } : {}),
          };
        }
        // each order's reason (the services say it in English) in the operator's language, as a single action's refusal
        const result = { ...outcome.done, items: outcome.done.items.map((item) => (item.message ? { ...item, message: translateRefusal(item.message, undefined, language) } : item)) };
        // the rows as they are now, so the selection shows the new statuses
        const fresh = new Map((await context.resource.findMany(selected.map((order) => order.id), context)).map((record) => [String(record.id()), record]));
        return {
          records: selected.flatMap((order) => fresh.get(order.id)?.toJSON(context.currentAdmin) ?? []),
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
    handler: async (request, _response, context) => {
      const ids = selectionOf(request, context).map((record) => String(record.id()));
      const page: BatchPage = {
        action: 'print',
        fields: [{ name: 'document', labelKey: 'document', kind: 'select', required: true, options: ['label', 'packing-slip', 'invoice'].map((value) => ({ value, label: value })) }],
        values: { document: 'label' },
        downloadUrl: `/admin/orders/documents?orders=${ids.join(',')}`,
        listUrl: listUrl(context),
      };
      return { records: recordsOf(request, context), batch: page };
    },
  };
  return actions;
}
