import type { ActionContext, ActionRequest, RecordActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { PickList } from '../../fulfillment/pick-list.entity';
import { Shipment } from '../../fulfillment/shipment.entity';
import { operatorActions } from '../actions/operator-action';
import { fetchWaybillAction, packShipmentAction, pickListActions } from '../actions/warehouse.actions';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { type PickListDetail, WAREHOUSE_ROUTES } from '../ui-contract';
import { enumProperty, type ResourceDeps, SHOW_ONLY, statusProperty } from './resource-deps';

const plainRecord = async (id: string, context: ActionContext): Promise<RecordJSON | undefined> => (await context.resource.findOne(id, context))?.toJSON(context.currentAdmin);

/**
 * Shipments are created by allocation; the warehouse works them in waves (pick lists, G1.4) and prints their documents
 * here (G2.4). Every change goes through the fulfilment services the API uses.
 */
export function logisticsResources({ adminjs, components, identity, pickLists, fulfillment }: Pick<ResourceDeps, 'adminjs' | 'components' | 'identity' | 'pickLists' | 'fulfillment'>): ResourceWithOptions[] {
  const read = readOnlyActions('orders.read');
  const shipmentOperator = operatorActions({ adminjs, identity, recordOf: plainRecord, formComponent: components.ActionForm });
  const shipment: ResourceWithOptions = {
    resource: Shipment,
    options: {
      navigation: NAVIGATION.logistics,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'shippedAt'],
      filterProperties: ['orderId', 'warehouseId', 'status', 'carrier', 'trackingNumber', 'pickListId', 'createdAt', 'shippedAt'],
      showProperties: ['wmsHandling', 'documents', 'orderId', 'warehouseId', 'status', 'contents', 'carrier', 'trackingNumber', 'pickListId', 'packedAt', 'packedBy', 'shippedAt', 'allocationReason', 'mergedInto', 'createdAt', 'updatedAt'],
      properties: {
        orderId: { reference: 'Order' },
        warehouseId: { reference: 'Warehouse' },
        pickListId: { reference: 'PickList' },
        status: statusProperty(components, 'shipmentStatus'),
        carrier: enumProperty('carrier'),
        // G2.4: 打印面单 / 打印装箱单 / 打印发票 at the top of the shipment's page
        documents: { type: 'string', isVisible: SHOW_ONLY, components: { show: components.ShipmentDocuments } },
        contents: { type: 'string', isVisible: SHOW_ONLY },
        // issue 15 item 5: the WMS connector working the shipment (set by show's before), said instead of the pack button
        wmsHandling: { type: 'string', isVisible: SHOW_ONLY, components: { show: components.WmsHandling } },
      },
      actions: {
        ...read,
        pack: shipmentOperator.direct(packShipmentAction(fulfillment)),
        fetchWaybill: shipmentOperator.direct(fetchWaybillAction(fulfillment)),
        show: {
          ...read.show,
          // before the record's buttons are chosen: a shipment a WMS works offers no pack button (packShipmentAction)
          before: async (request: ActionRequest, context: ActionContext) => {
            if (context.record) context.record.set('wmsHandling', (await fulfillment.getShipment(String(context.record.id()))).wms ?? '');
            return request;
          },
          // what is in the parcel, for the packer
          after: async (response: RecordActionResponse) => {
            if (response.record?.id) response.record.params.contents = (await fulfillment.getShipment(String(response.record.id))).lines.map((line) => `${line.sku} × ${line.quantity}`).join('，');
            return response;
          },
        },
      },
    },
  };

  /** The pick list's record with the page's data (PickListService's view, lines in walking order, the print links). */
  const pickListRecord = async (id: string, context: ActionContext): Promise<RecordJSON | undefined> => {
    const record = await plainRecord(id, context);
    if (!record) return undefined;
    const view = await pickLists.get(id);
    const detail: PickListDetail = {
      ...view,
      shipments: view.shipments.map((parcel) => ({
        id: parcel.id,
        orderNumber: parcel.orderNumber,
        status: parcel.status,
        showUrl: context.h.showUrl('Shipment', parcel.id),
        orderUrl: context.h.showUrl('Order', parcel.orderId),
      })),
      printUrl: WAREHOUSE_ROUTES.pickListPrint(view.id),
      labelsUrl: WAREHOUSE_ROUTES.pickListLabels(view.id),
    };
    record.params.detail = detail;
    return record;
  };
  // answers with the record as the page shows it, so the page shows the change at once (confirmed: 已拣货)
  const { form, direct } = operatorActions({ adminjs, identity, recordOf: pickListRecord, formComponent: components.ActionForm });
  const waves = pickListActions(pickLists);
  const pickList: ResourceWithOptions = {
    resource: PickList,
    options: {
      navigation: NAVIGATION.logistics,
      titleProperty: 'number',
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['number', 'warehouseId', 'status', 'createdBy', 'createdAt', 'pickedBy', 'pickedAt'],
      filterProperties: ['number', 'warehouseId', 'status', 'createdBy', 'createdAt'],
      properties: {
        warehouseId: { reference: 'Warehouse' },
        status: statusProperty(components, 'pickListStatus'),
      },
      actions: {
        ...read,
        show: {
          ...read.show,
          component: components.PickListDetail,
          handler: async (_request, _response, context): Promise<RecordActionResponse> => {
            const record = await pickListRecord(String(context.record?.id()), context);
            if (!record) throw new adminjs.NotFoundError(`Pick list ${String(context.record?.id())} was not found`, 'PickList#show');
            return { record };
          },
        },
        createWave: form(waves.createWave),
        confirmPicked: direct(waves.confirmPicked),
      },
    },
  };
  return [shipment, pickList];
}
