import type { Action, ActionContext, ActionResponse, RecordActionResponse } from 'adminjs';
import { requirePermission } from '../admin-access';

/** The workflow pages served beside AdminJS (src/workflow-ui); browser/admin-nav.ts turns the redirect into a page load. */
const PAGES = '/admin/workflow-ui';

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** The instance page: the process instance drawn on its diagram, its current step marked. */
export const instanceDiagramUrl = (instanceId: string) => `${PAGES}/instance?${query({ id: instanceId })}`;

/** A button that only leads to a workflow page: no form, no confirmation, nothing changed. */
function linkAction<R extends ActionResponse>(
  actionType: 'record' | 'resource',
  icon: string,
  target: (context: ActionContext) => string | null,
  permission = 'workflows.read',
): Partial<Action<R>> {
  return {
    actionType,
    component: false,
    icon,
    isAccessible: requirePermission(permission),
    handler: async (_request, _response, context) => {
      const url = target(context);
      const record = context.record?.toJSON(context.currentAdmin);
      if (!url) return { record, notice: { message: 'There is nothing to open for this record', type: 'error' } } as unknown as R;
      return { record, redirectUrl: url } as unknown as R;
    },
  };
}

const text = (context: ActionContext, property: string) => {
  const value = context.record?.get(property);
  return typeof value === 'string' && value !== '' ? value : null;
};

/** The diagram of the process instance whose id the record holds in `property`. */
const diagramOf = (property: string) =>
  linkAction<RecordActionResponse>('record', 'Eye', (context) => {
    const id = property === 'id' ? String(context.record?.id() ?? '') || null : text(context, property);
    return id ? instanceDiagramUrl(id) : null;
  });

const editInModeler = linkAction<RecordActionResponse>('record', 'Edit', (context) => {
  const key = text(context, 'key');
  return key ? `${PAGES}/modeler?${query({ key })}` : null;
});
const openModeler = linkAction<ActionResponse>('resource', 'GitBranch', () => `${PAGES}/modeler?${query({ list: '1' })}`);
const openTasklist = linkAction<ActionResponse>('resource', 'CheckSquare', () => `${PAGES}/tasks?${query({ status: 'active' })}`, 'tasks.work');

/** Buttons to the workflow pages, per resource (spread into the resource's `actions`). */
export const workflowPageActions = {
  /** WorkflowDefinition: a definition in the modeler (its newest draft or latest version); the modeler's list. */
  definition: { editInModeler, openModeler },
  /** ProcessInstance: the instance drawn on its diagram; the tasklist. */
  instance: { openDiagram: diagramOf('id'), openTasklist },
  /** Incident: the instance it belongs to; the tasklist. */
  incident: { openInstance: diagramOf('instanceId'), openTasklist },
  /** AfterSalesCase: the case's process on its diagram (G1.6: where the case stands in workflows/after-sales.bpmn). */
  afterSalesCase: { openDiagram: diagramOf('processInstanceId') },
};
