import type { ActionContext, RecordJSON } from 'adminjs';
import type { AfterSalesService, CaseView } from '../../after-sales/after-sales.service';
import type { NotificationsService } from '../../notifications/notifications.service';
import { trackingUrlOf } from '../../tracking/carriers/carriers';
import { can } from '../admin-access';
import type { CaseDetail, CustomerMessages } from '../ui-contract';
import { customerMessages } from './customer-messages';
import { processLinks } from './order-details';

/** Where the admin serves a case's evidence with the admin session (after-sales-attachments.controller.ts). */
export const caseAttachmentUrl = (caseId: string, attachmentId: string) => `/admin/after-sales/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(attachmentId)}`;

/** The case detail page's data (G1.6): the case as AfterSalesService shows it, with links to its order, evidence and process, and the customer's messages. */
export function caseDetail(view: CaseView, messages: CustomerMessages | null, context: Pick<ActionContext, 'currentAdmin' | 'h'>): CaseDetail {
  const readsCases = can(context.currentAdmin, 'aftersales.read');
  return {
    id: view.id,
    number: view.number,
    type: view.type,
    status: view.status,
    path: view.path,
    reason: view.reason,
    description: view.description,
    order: { id: view.orderId, number: view.orderNumber, url: can(context.currentAdmin, 'orders.read') ? context.h.showUrl('Order', view.orderId) : null },
    lines: view.lines,
    owner: view.owner,
    openedBy: view.openedBy,
    createdAt: view.createdAt,
    closedAt: view.closedAt,
    sla: { dueAt: view.slaDueAt, overdue: view.overdue, escalatedAt: view.escalatedAt },
    receivedWarehouse: view.receivedWarehouse,
    inspection: view.inspection,
    refund: view.refund,
    refundable: view.refundable,
    replacementShipments: view.replacementShipments.map((shipment) => ({
      id: shipment.id,
      warehouse: shipment.warehouse,
      status: shipment.status,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      trackingUrl: trackingUrlOf(shipment.carrier, shipment.trackingNumber),
      lines: shipment.lines,
    })),
    attachments: view.attachments.map((attachment) => ({ ...attachment, url: readsCases ? caseAttachmentUrl(view.id, attachment.id) : null })),
    history: view.history,
    process: processLinks(view.processInstanceId, context),
    messages,
  };
}

/**
 * The AfterSalesCase record as the detail page and every case action answer it: AdminJS's record (its params, its buttons
 * for this status and this admin) plus `params.detail`. Undefined when the case does not exist.
 */
export function caseRecordLoader(cases: AfterSalesService, notifications: NotificationsService) {
  return async (caseId: string, context: ActionContext): Promise<RecordJSON | undefined> => {
    const record = await context.resource.findOne(caseId, context);
    if (!record) return undefined;
    const json = record.toJSON(context.currentAdmin);
    const view = await cases.get(caseId);
    json.params.detail = caseDetail(view, await customerMessages(notifications, view.number, context), context);
    return json;
  };
}
