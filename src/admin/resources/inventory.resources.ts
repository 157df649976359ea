import type { ListActionResponse, RecordActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { Product } from '../../catalog/product.entity';
import { StockLevel } from '../../inventory/stock-level.entity';
import { StockMovement } from '../../inventory/stock-movement.entity';
import { Warehouse } from '../../inventory/warehouse.entity';
import { editableActions, NAVIGATION, readOnlyActions } from '../admin-access';
import { guarded, guardForm } from '../admin-forms';
import { enumProperty, LIST_AND_SHOW, moneyProperty, type ResourceDeps } from './resource-deps';


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
export function inventoryResources({ adminjs, components }: ResourceDeps): ResourceWithOptions[] {
  const product: ResourceWithOptions = {
    resource: Product,
    options: {
      navigation: NAVIGATION.inventory,
      titleProperty: 'sku',
      sort: { sortBy: 'sku', direction: 'asc' },
      listProperties: ['sku', 'name', 'spec', 'price', 'active', 'updatedAt'],
      filterProperties: ['sku', 'name', 'active'],
      editProperties: ['sku', 'name', 'spec', 'price', 'purchaseLimit', 'weightGrams', 'active'],
      properties: { sku: { description: 'descProductSku' }, price: moneyProperty(components) },
      actions: guarded(
        editableActions('catalog.read', 'catalog.write'),
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

  const stockLevel: ResourceWithOptions = {
    resource: StockLevel,
    options: {
      navigation: NAVIGATION.inventory,
      sort: { sortBy: 'sku', direction: 'asc' },
      listProperties: ['sku', 'warehouseId', 'bin', 'onHand', 'reserved', 'available'],
      filterProperties: ['sku', 'warehouseId', 'bin'],
      showProperties: ['sku', 'warehouseId', 'bin', 'onHand', 'reserved', 'available', 'updatedAt'],
      properties: {
        warehouseId: { reference: 'Warehouse' },
        onHand: { isDisabled: true },
        reserved: { isDisabled: true },
        available: { type: 'number', isVisible: LIST_AND_SHOW, isSortable: false },
      },
      actions: {
        ...readOnlyActions('inventory.read'),
        list: {
          ...readOnlyActions('inventory.read').list,
          after: async (response: ListActionResponse) => {
            response.records?.forEach(withAvailable);
            return response;
          },
        },
        show: {
          ...readOnlyActions('inventory.read').show,
          after: async (response: RecordActionResponse) => {
            withAvailable(response.record);
            return response;
          },
        },
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
