import type { AfterSalesService } from '../../after-sales/after-sales.service';
import { orderStatusesForCase, CASE_PATHS, CASE_TYPES, type CaseType } from '../../after-sales/case-status';
import { OpenCaseDto } from '../../after-sales/dto/after-sales.dto';
import { AppError } from '../../common/errors';
import type { OrderStatus } from '../../orders/order-status';
import type { OrdersService } from '../../orders/orders.service';
import type { FormField } from '../ui-contract';
import { readForm, validateLikeTheApi } from './form-input';
import type { FormActionSpec } from './operator-action';
import { inStatus, orderIdOf } from './order-actions';

/** Each case type in the back office's words. */
export const CASE_TYPE_NAMES: Record<CaseType, string> = {
  return: 'Return',
  exchange: 'Exchange',
  refund_only: 'Refund only',
  lost: 'Lost parcel',
  damaged: 'Damaged goods',
  wrong_item: 'Wrong item',
  missing_item: 'Missing item',
};

/** "Return: goods come back, then refund", from the type's path (CASE_PATHS). */
export const caseTypeLabel = (type: CaseType) => `${CASE_TYPE_NAMES[type]}: ${CASE_PATHS[type].needsReturn ? 'goods come back, then ' : ''}${CASE_PATHS[type].resolution}`;

const LINES: FormField = {
  name: 'lines',
  label: 'Lines of the case',
  kind: 'rows',
  fixedRows: true,
  required: true,
  columns: [
    { name: 'sku', label: 'SKU', kind: 'text', readOnly: true },
    { name: 'name', label: 'Name', kind: 'text', displayOnly: true },
    { name: 'shipped', label: 'Shipped', kind: 'integer', displayOnly: true },
    { name: 'quantity', label: 'In the case', kind: 'integer' },
  ],
};

const FIELDS: FormField[] = [
  { name: 'type', label: 'Type', kind: 'select', required: true, options: [{ value: '', label: '(choose)' }, ...CASE_TYPES.map((type) => ({ value: type, label: caseTypeLabel(type) }))] },
  LINES,
  { name: 'reason', label: 'Reason', kind: 'text', required: true, help: 'in the customer’s words; at most 500 characters' },
  { name: 'description', label: 'Description', kind: 'textarea', help: 'what customer service saw or was told' },
];

type Row = { sku?: string; quantity?: unknown };

/** Error paths of the lines sent (`lines[0].quantity`) as the form's rows name them (`lines[2].quantity`): empty rows are not sent. */
function onFormRows(error: unknown, rowOf: number[]): unknown {
  if (!(error instanceof AppError) || !error.details?.length) return error;
  const details = error.details.map((detail) => ({ ...detail, path: detail.path.replace(/^lines\[(\d+)\]/, (_, index: string) => `lines[${rowOf[Number(index)] ?? index}]`) }));
  return new AppError(error.status, error.code, error.message, details);
}

/**
 * G1.6 from the order's page: customer service registers a return, exchange, refund, lost parcel, damaged goods or a wrong
 * or missing item (AfterSalesService.open, as POST /api/orders/{id}/after-sales), then sees the new case.
 */
export function openCaseAction(orders: OrdersService, cases: AfterSalesService): FormActionSpec {
  return {
    actionType: 'record',
    permission: 'aftersales.write',
    icon: 'RotateCcw',
    // goods must have left; a lost parcel is one still on its way (the service says so for the other types)
    isVisible: inStatus(orderStatusesForCase('return') as readonly OrderStatus[]),
    form: async (context) => {
      const view = await orders.get(orderIdOf(context));
      const shipped = new Map<string, { name: string; shipped: number }>();
      for (const line of view.lines) {
        const seen = shipped.get(line.sku);
        shipped.set(line.sku, { name: seen?.name ?? line.name, shipped: (seen?.shipped ?? 0) + line.shipped });
      }
      return {
        title: `Open an after-sales case for order ${view.number}`,
        intro: 'Give the quantity of each SKU the case is about; leave the others empty. Customer service reviews the case next.',
        sections: [{ fields: FIELDS }],
        values: { type: '', lines: [...shipped].map(([sku, line]) => ({ sku, name: line.name, shipped: line.shipped })) },
        submitLabel: 'Open case',
      };
    },
    submit: async (input, actor, context) => {
      const orderId = orderIdOf(context);
      const values = readForm(FIELDS, input) as { lines?: Row[] } & Record<string, unknown>;
      // a row without a quantity (or 0) is a line the case is not about
      const rows = (values.lines ?? []).map((line, row) => ({ line, row })).filter(({ line }) => line.quantity !== undefined && line.quantity !== 0);
      const rowOf = rows.map(({ row }) => row);
      try {
        const body = await validateLikeTheApi(OpenCaseDto, { ...values, lines: rows.map(({ line }) => line) });
        const view = await cases.open(orderId, body, actor);
        return {
          recordId: orderId,
          message: `Case ${view.number} (${view.type}) opened on order ${view.orderNumber}; it waits for review`,
          showUrl: context.h.showUrl('AfterSalesCase', view.id),
        };
      } catch (error) {
        throw onFormRows(error, rowOf);
      }
    },
  };
}
