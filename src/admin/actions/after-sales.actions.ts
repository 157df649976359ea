import type { ClassConstructor } from 'class-transformer';
import type { ActionContext } from 'adminjs';
import type { AfterSalesService, CaseView } from '../../after-sales/after-sales.service';
import { CASE_PATHS, CASE_TRANSITIONS, type CaseStatus, type CaseType } from '../../after-sales/case-status';
import { ApproveCaseDto, CaseReasonDto, CloseCaseDto, InspectCaseDto, ReceiveCaseDto, RefundCaseDto } from '../../after-sales/dto/after-sales.dto';
import type { Actor } from '../../common/actor';
import { toCents } from '../../common/money';
import { OPEN_SHIPMENT_STATUSES } from '../../fulfillment/shipment-status';
import type { ShipmentStatus } from '../../fulfillment/shipment.entity';
import type { InventoryService } from '../../inventory/inventory.service';
import type { OrdersService } from '../../orders/orders.service';
import type { ActionForm, FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';

/** What a case's buttons depend on: the AfterSalesCase record's own columns. */
interface CaseState {
  status: CaseStatus;
  type: CaseType;
  qcResult: 'pass' | 'fail' | null;
}

const caseIdOf = (context: ActionContext): string => String(context.record?.id());

function stateOf(context: ActionContext): CaseState | null {
  const type = context.record?.get('type') as CaseType | undefined;
  const status = context.record?.get('status') as CaseStatus | undefined;
  if (!type || !status || !CASE_PATHS[type] || !CASE_TRANSITIONS[status]) return null;
  return { type, status, qcResult: (context.record?.get('qcResult') as CaseState['qcResult']) ?? null };
}

const may = (state: CaseState, to: CaseStatus) => CASE_TRANSITIONS[state.status].includes(to);

/** Refund or replacement: after approval when nothing comes back, after a passed QC when it does (as AfterSalesService). */
const settleable = (state: CaseState) =>
  CASE_PATHS[state.type].needsReturn ? state.status === 'inspected' && state.qcResult === 'pass' : state.status === 'approved';

/**
 * In which statuses each step's button shows: where AfterSalesService allows it (it decides again, and says why not).
 * Approved cases are being worked and a passed QC waits for its settlement: neither is closed by hand.
 */
const CASE_STEPS = {
  approve: (state: CaseState) => may(state, 'approved'),
  reject: (state: CaseState) => may(state, 'rejected'),
  receive: (state: CaseState) => may(state, 'received') && CASE_PATHS[state.type].needsReturn,
  inspect: (state: CaseState) => may(state, 'inspected'),
  refund: (state: CaseState) => CASE_PATHS[state.type].resolution === 'refund' && settleable(state),
  close: (state: CaseState) => may(state, 'closed') && state.status !== 'approved' && !(state.status === 'inspected' && state.qcResult === 'pass'),
} satisfies Record<string, (state: CaseState) => boolean>;

const shows = (step: keyof typeof CASE_STEPS) => (context: ActionContext) => {
  const state = stateOf(context);
  return state !== null && CASE_STEPS[step](state);
};

/** One step of a case as a form: the API route's permission and DTO, the AfterSalesService call it makes. */
interface CaseStep<D extends object> {
  step: keyof typeof CASE_STEPS;
  permission: string;
  icon: string;
  variant?: 'primary' | 'danger';
  verb: string;
  intro(view: CaseView): string;
  fields: FormField[];
  /** The form as this case opens it: initial values, options of select fields, or why it cannot be done now. */
  prepare?(view: CaseView): Promise<Partial<Pick<ActionForm, 'values' | 'blocked'>> & { options?: Record<string, FormField['options']> }>;
  dto: ClassConstructor<D>;
  run(caseId: string, input: D, actor: Actor): Promise<CaseView>;
  done(view: CaseView): string;
}

function caseStep<D extends object>(cases: AfterSalesService, spec: CaseStep<D>): FormActionSpec {
  return {
    actionType: 'record',
    permission: spec.permission,
    icon: spec.icon,
    variant: spec.variant,
    isVisible: shows(spec.step),
    form: async (context) => {
      const view = await cases.get(caseIdOf(context));
      const { values = {}, blocked, options = {} } = (await spec.prepare?.(view)) ?? {};
      return {
        title: `${spec.verb} case ${view.number}`,
        intro: spec.intro(view),
        sections: [{ fields: spec.fields.map((field) => (options[field.name] ? { ...field, options: options[field.name] } : field)) }],
        values,
        submitLabel: spec.verb,
        variant: spec.variant,
        ...(blocked ? { blocked } : {}),
      };
    },
    submit: async (input, actor, context) => {
      const view = await spec.run(caseIdOf(context), await validateLikeTheApi(spec.dto, readForm(spec.fields, input)), actor);
      return { recordId: view.id, message: spec.done(view) };
    },
  };
}

const NOTE: FormField = { name: 'note', label: 'Note', kind: 'textarea', help: 'recorded in the case history' };
const NOTES: FormField = { name: 'notes', label: 'Notes', kind: 'textarea', help: 'recorded in the case history' };
const now = (view: CaseView) => `it is now ${view.status}`;

/** The warehouse the case's goods left from: the order's first shipment on its way or delivered that carried one of its SKUs. */
function shippedFromOf(shipments: Array<{ warehouse: string; status: string; lines: Array<{ sku: string }> }>, view: CaseView): string | undefined {
  const skus = new Set(view.lines.map((line) => line.sku));
  return shipments.find(
    (shipment) => shipment.status !== 'cancelled' && !OPEN_SHIPMENT_STATUSES.includes(shipment.status as ShipmentStatus) && shipment.lines.some((line) => skus.has(line.sku)),
  )?.warehouse;
}

/**
 * G1.6 on the case's page: customer service reviews (approve with an owner, reject with a reason), the warehouse receives
 * the return and inspects it (QC), finance refunds, and a case is closed; the same AfterSalesService calls, DTOs and
 * permissions as POST /api/after-sales/{id}/approve|reject|receive|inspect|refund|close.
 */
export function afterSalesActions(cases: AfterSalesService, orders: OrdersService, inventory: InventoryService) {
  const approve = caseStep(cases, {
    step: 'approve',
    permission: 'aftersales.write',
    icon: 'CheckCircle',
    verb: 'Approve',
    intro: (view) =>
      `Accepts the ${view.type} of order ${view.orderNumber}. ${view.path.needsReturn ? 'The warehouse then waits for the goods to come back.' : `It then goes to its ${view.path.resolution}.`}`,
    fields: [{ name: 'owner', label: 'Owner', kind: 'text', help: 'who works the case from now; empty: you' }, NOTE],
    dto: ApproveCaseDto,
    run: (caseId, input, actor) => cases.approve(caseId, input, actor),
    done: (view) => `Case ${view.number} approved; ${view.owner} owns it, ${now(view)}`,
  });

  const reject = caseStep(cases, {
    step: 'reject',
    permission: 'aftersales.write',
    icon: 'XCircle',
    variant: 'danger',
    verb: 'Reject',
    intro: () => 'Nothing comes back and nothing is refunded or sent; the reason is recorded in the case history.',
    fields: [{ name: 'reason', label: 'Reason', kind: 'textarea', required: true, help: 'at most 1000 characters' }],
    dto: CaseReasonDto,
    run: (caseId, input, actor) => cases.reject(caseId, input.reason, actor),
    done: (view) => `Case ${view.number} rejected; ${now(view)}`,
  });

  const receive = caseStep(cases, {
    step: 'receive',
    permission: 'aftersales.warehouse',
    icon: 'Inbox',
    verb: 'Receive',
    intro: (view) => `The returned goods of case ${view.number} arrived: ${view.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ')}. QC follows.`,
    fields: [{ name: 'warehouse', label: 'Received at', kind: 'select', required: true, help: 'preselected: the warehouse the goods were shipped from' }, NOTES],
    prepare: async (view) => {
      const [warehouses, order] = await Promise.all([inventory.activeWarehouses(), orders.get(view.orderId)]);
      return {
        options: { warehouse: warehouses.map((warehouse) => ({ value: warehouse.code, label: `${warehouse.code} ${warehouse.name}, ${warehouse.city}` })) },
        values: { warehouse: shippedFromOf(order.shipments, view) ?? warehouses[0]?.code ?? '' },
      };
    },
    dto: ReceiveCaseDto,
    run: (caseId, input, actor) => cases.receive(caseId, input, actor),
    done: (view) => `Case ${view.number} received at ${view.receivedWarehouse}; ${now(view)}`,
  });

  const inspect = caseStep(cases, {
    step: 'inspect',
    permission: 'aftersales.warehouse',
    icon: 'Search',
    verb: 'Record QC',
    intro: (view) => `Passed goods go back on hand at ${view.receivedWarehouse} through the stock ledger; failed goods are quarantined there and never restocked.`,
    fields: [
      {
        name: 'result',
        label: 'QC result',
        kind: 'select',
        required: true,
        options: [
          { value: '', label: '(choose)' },
          { value: 'pass', label: 'Pass: back into stock' },
          { value: 'fail', label: 'Fail: quarantined, not restocked' },
        ],
      },
      NOTES,
    ],
    dto: InspectCaseDto,
    run: (caseId, input, actor) => cases.inspect(caseId, input, actor),
    done: (view) => `Case ${view.number}: QC ${view.inspection?.result}; ${now(view)}`,
  });

  const refund = caseStep(cases, {
    step: 'refund',
    permission: 'aftersales.refund',
    icon: 'DollarSign',
    verb: 'Refund',
    intro: (view) => `At most ${view.refundable} can be refunded on order ${view.orderNumber} (what was paid minus earlier refunds of its cases).`,
    fields: [
      { name: 'amount', label: 'Amount to refund', kind: 'money', required: true },
      { name: 'reference', label: 'Refund reference', kind: 'text', help: 'the payment provider’s refund number' },
    ],
    prepare: async (view) => ({
      values: { amount: view.refundable },
      ...(toCents(view.refundable) <= 0n ? { blocked: `Nothing is left to refund on order ${view.orderNumber}: what was paid has been refunded, or it was never paid` } : {}),
    }),
    dto: RefundCaseDto,
    run: (caseId, input, actor) => cases.refund(caseId, input, actor),
    done: (view) => `Case ${view.number}: ${view.refund?.amount} refunded; ${now(view)}`,
  });

  const close = caseStep(cases, {
    step: 'close',
    permission: 'aftersales.write',
    icon: 'Archive',
    verb: 'Close',
    intro: () => 'Nothing more happens on the case; its process ends where it stands.',
    fields: [NOTE],
    dto: CloseCaseDto,
    run: (caseId, input, actor) => cases.close(caseId, input.note, actor),
    done: (view) => `Case ${view.number} closed`,
  });

  return { approve, reject, receive, inspect, refund, close };
}
