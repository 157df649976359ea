import type { ActionContext, RecordActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { Product } from '../../catalog/product.entity';
import { StockLevel } from '../../inventory/stock-level.entity';
import { StockMovement } from '../../inventory/stock-movement.entity';
import { Warehouse } from '../../inventory/warehouse.entity';
import { can, editableActions, NAVIGATION, readOnlyActions } from '../admin-access';
import { operatorActions } from '../actions/operator-action';
import { stockActions } from '../actions/warehouse.actions';
import { guarded, guardForm } from '../admin-forms';
import type { ProductStockLevel } from '../ui-contract';
import { enumProperty, LIST_AND_SHOW, moneyProperty, type ResourceDeps, SHOW_ONLY } from './resource-deps';
import { serviceListHandler, textFilters } from './service-list';

const plainRecord = async (id: string, context: ActionContext): Promise<RecordJSON | undefined> => (await context.resource.findOne(id, context))?.toJSON(context.currentAdmin);

/** The stock list's filters: `q` finds a SKU or a product name (part of either), as GET /api/inventory?q= does. */
const STOCK_FILTERS = { q: { to: 'q', maxLength: 100 }, warehouseId: { to: 'warehouseId', maxLength: 36 }, bin: { to: 'bin', maxLength: 40 } } as const;


function withAvailable(record: RecordJSON | undefined): void {
  if (!record?.params) return;
  const onHand = Number(record.params.onHand);
  const reserved = Number(record.params.reserved);
  if (Number.isFinite(onHand) && Number.isFinite(reserved)) record.params.available = onHand - reserved;
}

/**
 * G2.3: live stock by SKU and warehouse. Stock levels and the ledger are read-only here: every change of on-hand or
 * reserved units goes through InventoryService (API), which writes the ledger row with it.
 */
export function inventoryResources({ adminjs, components, inventory, identity }: ResourceDeps): ResourceWithOptions[] {
  const { form } = operatorActions({ adminjs, identity, recordOf: plainRecord, formComponent: components.ActionForm });
  const stock = stockActions(inventory);
  const product: ResourceWithOptions = {
    resource: Product,
    options: {
      navigation: NAVIGATION.inventory,
      titleProperty: 'sku',
      sort: { sortBy: 'sku', direction: 'asc' },
      listProperties: ['sku', 'name', 'spec', 'price', 'active', 'updatedAt'],
      filterProperties: ['sku', 'name', 'active'],
      editProperties: ['sku', 'name', 'spec', 'price', 'purchaseLimit', 'weightGrams', 'active'],
      showProperties: ['sku', 'name', 'spec', 'price', 'purchaseLimit', 'weightGrams', 'active', 'stockLevels', 'createdAt', 'updatedAt'],
      properties: {
        sku: { description: 'descProductSku' },
        price: moneyProperty(components),
        // G2.3: the product's stock in every warehouse, on its page
        stockLevels: { type: 'string', isVisible: SHOW_ONLY, components: { show: components.ProductStock } },
      },
      actions: guarded(
        {
          ...editableActions('catalog.read', 'catalog.write'),
          show: {
            ...editableActions('catalog.read', 'catalog.write').show,
            after: async (response: RecordActionResponse, _request: unknown, context: ActionContext) => {
              const sku = response.record?.params?.sku;
              // the levels only for those who may read stock
              if (typeof sku === 'string' && can(context.currentAdmin, 'inventory.read')) {
                const levels: ProductStockLevel[] = (await inventory.levelsOfSku(sku)).map(({ warehouse, warehouseName, bin, onHand, reserved, available }) => ({ warehouse, warehouseName, bin, onHand, reserved, available }));
                response.record.params.stockLevels = JSON.stringify(levels);
              }
              return response;
            },
          },
        },
        guardForm(adminjs, {
          sku: { kind: 'text', required: true, createOnly: true, pattern: { regex: /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, message: 'must be 1-64 letters, digits or . _ - /' } },
          name: { kind: 'text', required: true, maxLength: 200 },
          spec: { kind: 'text', maxLength: 200 },
          price: { kind: 'money', required: true },
          purchaseLimit: { kind: 'integer', min: 1, max: 1_000_000 },
          weightGrams: { kind: 'integer', min: 0, max: 100_000_000 },
          active: { kind: 'boolean' },
        }),
      ),
    },
  };

  const warehouse: ResourceWithOptions = {
    resource: Warehouse,
    options: {
      navigation: NAVIGATION.inventory,
      titleProperty: 'code',
      sort: { sortBy: 'priority', direction: 'asc' },
      listProperties: ['code', 'name', 'province', 'city', 'priority', 'isVirtual', 'active'],
      filterProperties: ['code', 'name', 'province', 'city', 'active'],
      editProperties: ['code', 'name', 'province', 'city', 'priority', 'costPerShipment', 'isVirtual', 'active'],
      properties: {
        code: { description: 'descWarehouseCode' },
        priority: { description: 'descWarehousePriority' },
      },
      actions: guarded(
        editableActions('inventory.read', 'inventory.write'),
        guardForm(adminjs, {
          code: { kind: 'text', required: true, createOnly: true, pattern: { regex: /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, message: 'must be 1-32 letters, digits, _ or -' } },
          name: { kind: 'text', required: true, maxLength: 100 },
          province: { kind: 'text', required: true, maxLength: 50 },
          city: { kind: 'text', required: true, maxLength: 50 },
          priority: { kind: 'integer', required: true, min: 0, max: 1_000_000 },
          costPerShipment: { kind: 'money' },
          isVirtual: { kind: 'boolean' },
          active: { kind: 'boolean' },
        }),
      ),
    },
  };

  const stockRead = readOnlyActions('inventory.read');
  const stockLevel: ResourceWithOptions = {
    resource: StockLevel,
    options: {
      navigation: NAVIGATION.inventory,
      sort: { sortBy: 'sku', direction: 'asc' },
      listProperties: ['sku', 'productName', 'warehouseId', 'bin', 'onHand', 'reserved', 'available'],
      filterProperties: ['q', 'warehouseId', 'bin'],
      showProperties: ['sku', 'productName', 'warehouseId', 'bin', 'onHand', 'reserved', 'available', 'updatedAt'],
      properties: {
        q: { type: 'string', isVisible: { list: false, filter: true, show: false, edit: false }, description: 'descStockSearch' },
        productName: { type: 'string', isVisible: LIST_AND_SHOW, isSortable: false },
        warehouseId: { reference: 'Warehouse' },
        onHand: { isDisabled: true },
        reserved: { isDisabled: true },
        available: { type: 'number', isVisible: LIST_AND_SHOW, isSortable: false },
      },
      actions: {
        ...stockRead,
        // G2.3: the list is InventoryService's search (as GET /api/inventory), with each product's name
        list: {
          ...stockRead.list,
          handler: serviceListHandler(adminjs, {
            sortBy: 'sku',
            filterOf: (filters) => textFilters<{ q?: string; warehouseId?: string; bin?: string }>(filters, STOCK_FILTERS),
            list: (filter, offset, limit) => inventory.searchLevels(filter, offset, limit),
            paramsOf: (level) => ({ productName: level.productName ?? '', available: level.available }),
          }),
        },
        show: {
          ...stockRead.show,
          after: async (response: RecordActionResponse) => {
            withAvailable(response.record);
            const sku = response.record?.params?.sku;
            if (typeof sku === 'string') response.record.params.productName = (await inventory.productNames([sku])).get(sku) ?? '';
            return response;
          },
        },
        // 入库 and 调整: the stock changes through InventoryService, which wakes the orders waiting for it
        receiveStock: form(stock.receive),
        adjustStock: form(stock.adjust),
      },
    },
  };

  const stockMovement: ResourceWithOptions = {
    resource: StockMovement,
    options: {
      navigation: NAVIGATION.inventory,
      // the ledger, newest first
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['createdAt', 'warehouseId', 'sku', 'kind', 'onHandDelta', 'reservedDelta', 'onHandAfter', 'reservedAfter', 'reference', 'createdBy'],
      filterProperties: ['sku', 'warehouseId', 'kind', 'reference', 'createdBy', 'createdAt'],
      properties: {
        warehouseId: { reference: 'Warehouse' },
        kind: enumProperty('movementKind'),
      },
      actions: readOnlyActions('inventory.read'),
    },
  };

  return [product, warehouse, stockLevel, stockMovement];
}
