import type { ActionContext } from 'adminjs';
import type { NotificationsService } from '../../notifications/notifications.service';
import { can } from '../admin-access';
import type { CustomerMessages } from '../ui-contract';

/** A record's page shows its newest messages; the outbox list (linked) has them all. */
const MESSAGES_SHOWN = 50;

/**
 * Issue 7 item 5: every message the customer was sent about an order or case (its number is the outbox's reference), with
 * every attempt and its outcome, as GET /api/notifications lists them; null where the admin may not read the outbox.
 */
export async function customerMessages(
  notifications: NotificationsService,
  reference: string,
  context: Pick<ActionContext, 'currentAdmin' | 'h'>,
): Promise<CustomerMessages | null> {
  if (!can(context.currentAdmin, 'orders.read')) return null;
  const { items, total } = await notifications.listFor(reference, undefined, 0, MESSAGES_SHOWN);
  return {
    items: items.map((message) => ({
      id: message.id,
      channel: message.channel,
      event: message.event,
      recipient: message.recipient,
      status: message.status,
      createdAt: message.createdAt,
      sentAt: message.sentAt,
      nextAttemptAt: message.nextAttemptAt,
      lastError: message.lastError,
      attempts: message.attempts.map(({ attempt, outcome, error, startedAt, durationMs }) => ({ attempt, outcome, error, startedAt, durationMs })),
    })),
    total,
    listUrl: context.h.listUrl('Notification', `?${new URLSearchParams({ 'filters.reference': reference })}`),
  };
}
