import { CreateFoundationSchema1764000000000 } from './1764000000000-create-foundation-schema';
import { AddTimersUserTasksDrafts1764100000000 } from './1764100000000-add-timers-user-tasks-drafts';
import { AddPickListsAndPacking1764200000000 } from './1764200000000-add-pick-lists-and-packing';
import { AddTrackingEvents1764300000000 } from './1764300000000-add-tracking-events';
import { AddAllocationReasonsAndMerges1764400000000 } from './1764400000000-add-allocation-reasons-and-merges';
import { AddAfterSalesCases1764500000000 } from './1764500000000-add-after-sales-cases';
import { AddOrderFeedback1764600000000 } from './1764600000000-add-order-feedback';
import { AddNotificationChannelsAndTemplates1764700000000 } from './1764700000000-add-notification-channels-and-templates';
import { AddUsersRolesAuditAndTokenRevocation1764800000000 } from './1764800000000-add-users-roles-audit-and-token-revocation';
import { AddSharedRateLimits1764830000000 } from './1764830000000-add-shared-rate-limits';
import { AddWorkflowPrincipals1764840000000 } from './1764840000000-add-workflow-principals';
import { AddStockAnnouncements1764850000000 } from './1764850000000-add-stock-announcements';
import { AddSettingsVersion1764870000000 } from './1764870000000-add-settings-version';
import { DropWorkflowLeases1764875000000 } from './1764875000000-drop-workflow-leases';
import { AddReportRollups1764880000000 } from './1764880000000-add-report-rollups';
import { AddBackups1764890000000 } from './1764890000000-add-backups';
import { AddPendingJobInstanceIndex1764895000000 } from './1764895000000-add-pending-job-instance-index';
import { AddStaffWorkRecords1764900000000 } from './1764900000000-add-staff-work-records';
import { AddExceptionWork1764910000000 } from './1764910000000-add-exception-work';
import { AddNotificationSentContent1764950000000 } from './1764950000000-add-notification-sent-content';
import { AddIntegrations1764960000000 } from './1764960000000-add-integrations';
import { AddIntegrationPushes1764990000000 } from './1764990000000-add-integration-pushes';
import { AddCarrierTrackingAndWaybills1764995000000 } from './1764995000000-add-carrier-tracking-and-waybills';
import { AddIntegrationPollCursor1765000000000 } from './1765000000000-add-integration-poll-cursor';
import { AddIntegrationDeliveryReplay1765005000000 } from './1765005000000-add-integration-delivery-replay';
import { AddStockSync1765015000000 } from './1765015000000-add-stock-sync';
import { AddWmsHandOff1765020000000 } from './1765020000000-add-wms-hand-off';

/** Every migration in the order it runs; listed explicitly so src (ts-jest) and dist (node) load the same set. */
export const MIGRATIONS = [
  CreateFoundationSchema1764000000000, AddTimersUserTasksDrafts1764100000000, AddPickListsAndPacking1764200000000, AddTrackingEvents1764300000000,
  AddAllocationReasonsAndMerges1764400000000, AddAfterSalesCases1764500000000, AddOrderFeedback1764600000000,
  AddNotificationChannelsAndTemplates1764700000000, AddUsersRolesAuditAndTokenRevocation1764800000000, AddSharedRateLimits1764830000000,
  AddWorkflowPrincipals1764840000000, AddStockAnnouncements1764850000000, AddSettingsVersion1764870000000,
  DropWorkflowLeases1764875000000, AddReportRollups1764880000000, AddBackups1764890000000, AddPendingJobInstanceIndex1764895000000,
  AddStaffWorkRecords1764900000000, AddExceptionWork1764910000000, AddNotificationSentContent1764950000000,
  AddIntegrations1764960000000, AddIntegrationPushes1764990000000, AddCarrierTrackingAndWaybills1764995000000,
  AddIntegrationPollCursor1765000000000, AddIntegrationDeliveryReplay1765005000000, AddStockSync1765015000000, AddWmsHandOff1765020000000,
];
