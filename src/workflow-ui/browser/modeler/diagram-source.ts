/**
 * Where the modeler's diagram comes from and where drafts go. Drafts live on the server
 * (`PUT/GET /api/workflows/{key}/draft`); while that route is not there, in this browser's localStorage.
 */
import { api, ApiError } from '../shared/api';
import { currentUser } from '../shared/page';
import type { Draft, WorkflowSummary, WorkflowVersion } from '../shared/types';

export type Opened =
  | { kind: 'version'; xml: string; version: number; deployedAt: string; deployedBy: string }
  | { kind: 'draft'; xml: string; where: DraftPlace; updatedAt: string; updatedBy: string; basedOn: number | null }
  | { kind: 'new'; xml: string };

export type DraftPlace = 'server' | 'browser';

const path = (key: string) => `/workflows/${encodeURIComponent(key)}`;
const localKey = (key: string) => `oms-workflow-draft:${key}`;

export async function listWorkflows(): Promise<WorkflowSummary[]> {
  const body = await api<WorkflowSummary[] | { items: WorkflowSummary[] }>('GET', '/workflows');
  return Array.isArray(body) ? body : body.items;
}

export function loadVersion(key: string, version: number): Promise<WorkflowVersion> {
  return api<WorkflowVersion>('GET', `${path(key)}/versions/${version}`);
}

/** The diagram to open: a requested version; else the newest draft when it is newer than the latest version; else that version. */
export async function openDiagram(key: string, latestVersion: number | null, requestedVersion: number | null): Promise<Opened> {
  if (requestedVersion !== null) return asOpened(await loadVersion(key, requestedVersion));
  const [deployed, draft] = await Promise.all([latestVersion ? loadVersion(key, latestVersion) : null, newestDraft(key)]);
  if (draft && (!deployed || Date.parse(draft.updatedAt) > Date.parse(deployed.deployedAt))) {
    return { kind: 'draft', xml: draft.xml, where: draft.where, updatedAt: draft.updatedAt, updatedBy: draft.updatedBy, basedOn: latestVersion };
  }
  return deployed ? asOpened(deployed) : { kind: 'new', xml: blankDiagram(key) };
}

function asOpened(version: WorkflowVersion): Opened {
  return { kind: 'version', xml: version.xml, version: version.version, deployedAt: version.deployedAt, deployedBy: version.deployedBy };
}

async function newestDraft(key: string): Promise<(Draft & { where: DraftPlace }) | null> {
  const local = readLocalDraft(key);
  let server: Draft | null = null;
  try {
    server = await api<Draft>('GET', `${path(key)}/draft`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const candidates = [server && { ...server, where: 'server' as const }, local && { ...local, where: 'browser' as const }].filter((draft) => !!draft?.xml);
  candidates.sort((a, b) => Date.parse(b!.updatedAt) - Date.parse(a!.updatedAt));
  return candidates[0] ?? null;
}

/** Saves on the server; falls back to this browser when the server has no draft route (yet). */
export async function saveDraft(key: string, xml: string): Promise<{ where: DraftPlace; updatedAt: string }> {
  try {
    const saved = await api<Partial<Draft> | undefined>('PUT', `${path(key)}/draft`, { json: { xml } });
    removeLocalDraft(key);
    return { where: 'server', updatedAt: saved?.updatedAt ?? new Date().toISOString() };
  } catch (error) {
    if (!(error instanceof ApiError && error.routeMissing)) throw error;
  }
  const draft: Draft = { xml, updatedAt: new Date().toISOString(), updatedBy: currentUser().email };
  localStorage.setItem(localKey(key), JSON.stringify(draft));
  return { where: 'browser', updatedAt: draft.updatedAt };
}

function readLocalDraft(key: string): Draft | null {
  try {
    const draft = JSON.parse(localStorage.getItem(localKey(key)) ?? 'null') as Draft | null;
    return draft && typeof draft.xml === 'string' && typeof draft.updatedAt === 'string' ? draft : null;
  } catch {
    return null;
  }
}

export function removeLocalDraft(key: string): void {
  localStorage.removeItem(localKey(key));
}

export function deploy(key: string, xml: string) {
  return api<{ key: string; version: number; checksum: string; deployedAt: string; warnings?: Array<{ path: string; message: string }> }>(
    'POST', `${path(key)}/versions`, { xml },
  );
}

/** A new diagram with one start event; the process id is the key when that is a valid XML id. */
export function blankDiagram(key: string): string {
  const processId = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) ? key : `Process_${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const name = key.replace(/[<>&"]/g, '');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_${processId}" targetNamespace="http://oms.dev/workflows">
  <bpmn:process id="${processId}" name="${name}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${processId}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}
