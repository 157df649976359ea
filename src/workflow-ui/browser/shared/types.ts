/** The API shapes the pages read (API.md "Workflows and tasks"). */

export interface TaskTypeField {
  name: string;
  type: string;
  description: string;
}

export interface TaskTypeInfo {
  type: string;
  name: string;
  description: string;
  inputs: TaskTypeField[];
  outputs: TaskTypeField[];
  /** What its effect needs: deploying a diagram with it, and the instance's starter, need these. */
  permissions: string[];
}

export interface WorkflowSummary {
  key: string;
  name: string;
  latestVersion: number;
  versions?: Array<{ version: number; checksum: string; deployedAt: string; deployedBy: string }>;
}

export interface WorkflowVersion {
  key: string;
  version: number;
  name: string;
  checksum: string;
  deployedAt: string;
  deployedBy: string;
  xml: string;
}

export interface DeployResult {
  key: string;
  version: number;
  checksum: string;
  deployedAt: string;
  warnings?: Array<{ path: string; message: string }>;
}

export interface Draft {
  xml: string;
  updatedAt: string;
  updatedBy: string;
}

export interface WaitingElement {
  elementId: string;
  name?: string | null;
  type?: string;
  messageName?: string;
}

export interface ActivityEntry {
  elementId: string;
  elementType: string;
  name: string | null;
  enteredAt: string | null;
  leftAt: string | null;
}

export interface IncidentEntry {
  id: string;
  elementId: string | null;
  message: string;
  status: string;
  createdAt: string;
}

export interface ProcessInstanceView {
  id: string;
  definitionKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  /** Who it runs as: its task types act with this principal's permissions. */
  startedBy?: { kind: string; id: string; name: string };
  waitingAt: WaitingElement[];
  variables: Record<string, unknown>;
  activity: ActivityEntry[];
  incidents: IncidentEntry[];
  createdAt?: string;
  endedAt?: string | null;
}

export interface FormField {
  name: string;
  label?: string;
  type?: string;
  required?: boolean;
  options?: string[];
  /** What the form shows for each option (the diagram's words). */
  optionLabels?: Record<string, string>;
  defaultValue?: unknown;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
}

export interface UserTask {
  id: string;
  instanceId: string;
  elementId: string;
  name: string | null;
  candidateRoles: string[];
  assignee: string | null;
  status: string;
  dueAt: string | null;
  overdue?: boolean;
  formFields?: FormField[];
  createdAt: string;
  completedAt?: string | null;
  completedBy?: string | null;
  businessKey?: string | null;
}
