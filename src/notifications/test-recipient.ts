import type { Channel } from './notification-events';
import { smsNumberOf } from './sms/sms-provider';

const ONE_EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** A test send's recipient in one spelling: an email address in lower case, a phone number as the SMS provider dials it. */
export function testRecipientOf(channel: Channel, to: string): string | null {
  if (channel === 'sms') return smsNumberOf(to);
  return ONE_EMAIL.test(to) ? to.toLowerCase() : null;
}
