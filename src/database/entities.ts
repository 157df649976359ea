import { AfterSalesCase } from '../after-sales/after-sales-case.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { ApiKey } from '../auth/api-key.entity';
import { Role } from '../auth/role.entity';
import { User } from '../auth/user.entity';
import { Product } from '../catalog/product.entity';
import { PickList } from '../fulfillment/pick-list.entity';
import { Shipment } from '../fulfillment/shipment.entity';
import { ShipmentLine } from '../fulfillment/shipment-line.entity';
import { StockLevel } from '../inventory/stock-level.entity';
import { StockMovement } from '../inventory/stock-movement.entity';
import { StockReservation } from '../inventory/stock-reservation.entity';
import { Integration } from '../integrations/integration.entity';
import { Warehouse } from '../inventory/warehouse.entity';
import { Notification } from '../notifications/notification.entity';
import { NotificationTemplateVersion } from '../notifications/notification-template-version.entity';
import { SystemAlert } from '../notifications/system-alert.entity';
import { OrderLine } from '../orders/order-line.entity';
import { OrderStatusHistory } from '../orders/order-status-history.entity';
import { Order } from '../orders/order.entity';
import { Incident } from '../workflow/incident.entity';
import { ProcessActivity } from '../workflow/process-activity.entity';
import { ProcessInstance } from '../workflow/process-instance.entity';
import { WorkflowDefinition } from '../workflow/workflow-definition.entity';

/** Every mapped table; the schema itself comes only from migrations/. */
export const ENTITIES = [
  User, Role, Product, Warehouse, StockLevel, StockMovement, StockReservation, Order, OrderLine, OrderStatusHistory,
  Shipment, ShipmentLine, PickList, WorkflowDefinition, ProcessInstance, ProcessActivity, Incident, Notification,
  AfterSalesCase, NotificationTemplateVersion, SystemAlert, ApiKey, AuditEntry, Integration,
];
