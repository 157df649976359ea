import type { RecordActionResponse, ResourceWithOptions } from 'adminjs';
import { Incident } from '../../workflow/incident.entity';
import { ProcessInstance } from '../../workflow/process-instance.entity';
import { WorkflowDefinition } from '../../workflow/workflow-definition.entity';
import { workflowPageActions } from '../actions/workflow-page-actions';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { dropListParams } from '../admin-forms';
import { HIDDEN, jsonText, type ResourceDeps, SHOW_ONLY, statusProperty } from './resource-deps';


/** Deployed diagrams, running instances and incidents; deploying and retrying go through the workflow API. */
export function workflowResources({ adminjs, components }: ResourceDeps): ResourceWithOptions[] {
  const definition: ResourceWithOptions = {
    resource: WorkflowDefinition,
    options: {
      navigation: NAVIGATION.workflows,
      titleProperty: 'key',
      sort: { sortBy: 'deployedAt', direction: 'desc' },
      listProperties: ['key', 'version', 'name', 'deployedBy', 'deployedAt'],
      filterProperties: ['key', 'name', 'deployedBy', 'deployedAt'],
      showProperties: ['key', 'version', 'name', 'checksum', 'deployedBy', 'deployedAt', 'xml'],
      properties: {
        // the diagram source: long, so on the show page only
        xml: { type: 'textarea', isVisible: SHOW_ONLY },
      },
      actions: {
        ...readOnlyActions('workflows.read'),
        list: { ...readOnlyActions('workflows.read').list, after: dropListParams('xml') },
        ...workflowPageActions.definition,
      },
    },
  };

  const instance: ResourceWithOptions = {
    resource: ProcessInstance,
    options: {
      navigation: NAVIGATION.workflows,
      titleProperty: 'businessKey',
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['businessKey', 'definitionId', 'status', 'createdAt', 'updatedAt', 'endedAt'],
      filterProperties: ['businessKey', 'definitionId', 'status', 'createdAt'],
      showProperties: [
        'businessKey', 'definitionId', 'status', 'waitingText', 'variablesText', 'version', 'createdAt', 'updatedAt', 'endedAt',
      ],
      properties: {
        definitionId: { reference: 'WorkflowDefinition' },
        status: statusProperty(components, 'instanceStatus'),
        // the engine's state (~23 KB of JSON) is the runtime's business, never shown
        state: { isVisible: HIDDEN },
        variables: { isVisible: HIDDEN },
        waiting: { isVisible: HIDDEN },
        waitingText: { type: 'textarea', isVisible: SHOW_ONLY },
        variablesText: { type: 'textarea', isVisible: SHOW_ONLY },
      },
      actions: {
        ...readOnlyActions('workflows.read'),
        list: { ...readOnlyActions('workflows.read').list, after: dropListParams('variables', 'waiting') },
        ...workflowPageActions.instance,
        show: {
          ...readOnlyActions('workflows.read').show,
          after: async (response: RecordActionResponse) => {
            const params = response.record?.params;
            if (params) {
              params.waitingText = jsonText(adminjs, params, 'waiting');
              params.variablesText = jsonText(adminjs, params, 'variables');
            }
            return response;
          },
        },
      },
    },
  };

  const incident: ResourceWithOptions = {
    resource: Incident,
    options: {
      navigation: NAVIGATION.workflows,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'instanceId', 'elementId', 'status', 'message', 'resolvedAt'],
      filterProperties: ['instanceId', 'elementId', 'status', 'createdAt'],
      properties: {
        instanceId: { reference: 'ProcessInstance' },
        status: statusProperty(components, 'alertStatus'),
        message: { type: 'textarea' },
      },
      actions: {
        ...readOnlyActions('workflows.read'),
        ...workflowPageActions.incident,
      },
    },
  };

  return [definition, instance, incident];
}
