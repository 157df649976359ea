import type { ActionContext, RecordActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { NotificationTemplateVersion } from '../../notifications/notification-template-version.entity';
import { Notification } from '../../notifications/notification.entity';
import { SystemAlert } from '../../notifications/system-alert.entity';
import { operatorActions } from '../actions/operator-action';
import { templateEditorActions } from '../actions/template-editor.actions';
import { NAVIGATION, readOnlyActions } from '../admin-access';
import { dropListParams } from '../admin-forms';
import { enumProperty, HIDDEN, type ResourceDeps, SHOW_ONLY, statusProperty } from './resource-deps';

const CLOSED = { isAccessible: false } as const;

/** A row as AdminJS shows it (the alert after its resolve). */
const plainRecord = async (id: string, context: ActionContext): Promise<RecordJSON | undefined> =>
  (await context.resource.findOne(id, context))?.toJSON(context.currentAdmin);

/**
 * G3.2 / issue 7: the template editor (stored versions over the files, preview, test send), the outbox of customer messages
 * with their attempts, and the alerts of messages given up on (dead letters), which a person resolves.
 */
export function notificationResources(deps: ResourceDeps): ResourceWithOptions[] {
  const { adminjs, components, templates, notifications, identity } = deps;

  // the resource's list is the editor; the versions are read through NotificationTemplatesService, never as rows
  const template: ResourceWithOptions = {
    resource: NotificationTemplateVersion,
    options: {
      navigation: NAVIGATION.notifications,
      actions: {
        search: CLOSED,
        show: CLOSED,
        new: CLOSED,
        edit: CLOSED,
        delete: CLOSED,
        bulkDelete: CLOSED,
        ...templateEditorActions(templates, identity, components.TemplateEditor),
      },
    },
  };

  // the outbox: customer service checks here whether a confirmation went out (each order and case page lists its own)
  const read = readOnlyActions('orders.read');
  const outbox: ResourceWithOptions = {
    resource: Notification,
    options: {
      navigation: NAVIGATION.notifications,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'channel', 'event', 'recipient', 'reference', 'status', 'attempts', 'sentAt'],
      filterProperties: ['channel', 'event', 'recipient', 'reference', 'status', 'createdAt'],
      showProperties: [
        'message', 'event', 'channel', 'locale', 'recipient', 'reference', 'status', 'attempts', 'nextAttemptAt', 'lastError',
        'providerMessageId', 'sentAt', 'createdAt', 'idempotencyKey',
      ],
      properties: {
        channel: enumProperty('messageChannel'),
        status: statusProperty(components, 'messageStatus'),
        locale: enumProperty('locale'),
        data: { isVisible: HIDDEN },
        lastError: { type: 'textarea' },
        // G5.5: what the customer received, in place of the data it was made from
        message: { isVisible: SHOW_ONLY, components: { show: components.CustomerMessage } },
        sentSubject: { isVisible: HIDDEN },
        sentText: { isVisible: HIDDEN },
        sentHtml: { isVisible: HIDDEN },
      },
      actions: {
        ...read,
        list: { ...read.list, after: dropListParams('data') },
        show: {
          ...read.show,
          after: async (response: RecordActionResponse) => {
            const params = response.record?.params;
            if (!params) return response;
            for (const key of Object.keys(params)) if (key === 'data' || key.startsWith('data.') || ['sentSubject', 'sentText', 'sentHtml'].includes(key)) delete params[key];
            const content = await notifications.content(String(response.record.id));
            Object.assign(params, {
              messageSent: content.sent,
              messageSubject: content.subject ?? '',
              messageText: content.text ?? '',
              messageHtml: content.html ?? '',
              messageError: content.error ?? '',
            });
            return response;
          },
        },
      },
    },
  };

  const { direct } = operatorActions({ adminjs, identity, recordOf: plainRecord, formComponent: components.ActionForm });
  const alert: ResourceWithOptions = {
    resource: SystemAlert,
    options: {
      navigation: NAVIGATION.notifications,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'kind', 'reference', 'message', 'status', 'resolvedBy'],
      filterProperties: ['kind', 'reference', 'status', 'createdAt'],
      properties: {
        status: statusProperty(components, 'alertStatus'),
        kind: enumProperty('systemAlertKind'),
        message: { type: 'textarea' },
      },
      actions: {
        ...read,
        // G3.2: someone told the customer another way (or fixed the address); the alert leaves the open ones
        resolve: direct({
          permission: 'orders.write',
          icon: 'CheckCircle',
          guard: 'confirmResolveAlert',
          isVisible: ({ record }) => record?.get('status') === 'open',
          run: async (actor, context) => {
            const id = String(context.record?.id());
            await notifications.resolveAlert(id, actor.name);
            return { recordId: id, message: 'Alert resolved' };
          },
        }),
      },
    },
  };

  return [template, outbox, alert];
}
