import type { RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { AfterSalesCase } from '../../after-sales/after-sales-case.entity';
import type { CaseFilter } from '../../after-sales/after-sales.service';
import { CASE_STATUSES, CASE_TYPES } from '../../after-sales/case-status';
import { afterSalesActions } from '../actions/after-sales.actions';
import { operatorActions } from '../actions/operator-action';
import { workflowPageActions } from '../actions/workflow-page-actions';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { caseRecordLoader } from './case-details';
import { enumProperty, HIDDEN, moneyProperty, type ResourceDeps, statusProperty } from './resource-deps';
import { type ListFilter, serviceListHandler, textFilters, unknownValues } from './service-list';

const NOT_SORTABLE = { isSortable: false } as const;
const LIST_ONLY = { list: true, filter: true, show: false, edit: false } as const;

/** The queue's filters (AdminJS `filters.<property>`) and the AfterSalesService filter each one sets. */
const FILTERS: Record<string, { to: keyof CaseFilter; maxLength: number }> = {
  status: { to: 'status', maxLength: 400 },
  type: { to: 'type', maxLength: 20 },
  owner: { to: 'owner', maxLength: 254 },
  // the order's id (the reference picker) or its number (a typed link)
  orderId: { to: 'orderId', maxLength: 64 },
  overdue: { to: 'overdue', maxLength: 5 },
};

function filterOf(filters: Record<string, unknown>): ListFilter<CaseFilter> {
  const parsed = textFilters<CaseFilter>(filters, FILTERS);
  if ('problem' in parsed) return parsed;
  const { filter } = parsed;
  const unknown = unknownValues(filter.status, CASE_STATUSES);
  if (unknown.length) return { problem: `Unknown case status ${unknown.join(', ')}; the statuses are ${CASE_STATUSES.join(', ')}` };
  if (filter.type && !(CASE_TYPES as readonly string[]).includes(filter.type)) return { problem: `Unknown case type ${filter.type}; the types are ${CASE_TYPES.join(', ')}` };
  if (filter.overdue !== undefined && !['true', 'false'].includes(filter.overdue)) return { problem: 'The overdue filter must be true or false' };
  return { filter };
}

/**
 * G1.6 / G2.1 After-sales: the case queue (AfterSalesService.list, as GET /api/after-sales: status, type, owner, order,
 * overdue; newest first), the case page (a React component) and its steps as buttons. Cases are never edited as rows.
 */
export function afterSalesResources(deps: ResourceDeps): ResourceWithOptions[] {
  const { adminjs, components, cases, orders, inventory, notifications, identity } = deps;
  const caseRecord = caseRecordLoader(cases, notifications);
  const { form } = operatorActions({ adminjs, identity, recordOf: caseRecord, formComponent: components.ActionForm });
  const steps = afterSalesActions(cases, orders, inventory);
  const read = readOnlyActions('aftersales.read');

  const afterSalesCase: ResourceWithOptions = {
    resource: AfterSalesCase,
    options: {
      navigation: NAVIGATION.afterSales,
      titleProperty: 'number',
      listProperties: ['number', 'type', 'status', 'orderId', 'owner', 'slaDueAt', 'overdue'],
      filterProperties: ['status', 'type', 'owner', 'orderId', 'overdue'],
      properties: {
        number: NOT_SORTABLE,
        type: { ...NOT_SORTABLE, ...enumProperty('caseType') },
        status: { ...NOT_SORTABLE, ...statusProperty(components, 'caseStatus') },
        qcResult: statusProperty(components, 'qcResult'),
        refundAmount: moneyProperty(components),
        orderId: { ...NOT_SORTABLE, reference: 'Order' },
        owner: NOT_SORTABLE,
        slaDueAt: NOT_SORTABLE,
        // computed by AfterSalesService (SLA passed and the case not closed), not a column
        overdue: { type: 'boolean', isVisible: LIST_ONLY, isSortable: false },
        receivedWarehouseId: { reference: 'Warehouse' },
        processInstanceId: { reference: 'ProcessInstance' },
        description: { type: 'textarea' },
        qcNotes: { isVisible: HIDDEN },
      },
      actions: {
        ...read,
        list: {
          ...read.list,
          handler: serviceListHandler(adminjs, {
            sortBy: 'createdAt',
            filterOf,
            list: (filter: CaseFilter, offset, limit) => cases.list(filter, offset, limit),
            paramsOf: (view) => ({ overdue: view.overdue }),
          }),
        },
        show: {
          ...read.show,
          component: components.CaseDetail,
          handler: async (_request, _response, context): Promise<RecordActionResponse> => {
            const record = await caseRecord(String(context.record?.id()), context);
            if (!record) throw new adminjs.NotFoundError(`After-sales case ${String(context.record?.id())} was not found`, 'AfterSalesCase#show');
            return { record };
          },
        },
        approve: form(steps.approve),
        reject: form(steps.reject),
        receive: form(steps.receive),
        inspect: form(steps.inspect),
        refund: form(steps.refund),
        close: form(steps.close),
        ...workflowPageActions.afterSalesCase,
      },
    },
  };

  return [afterSalesCase];
}
