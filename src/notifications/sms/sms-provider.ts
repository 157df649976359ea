/** The SMS provider the outbox sends through (capture or http, from SMS_PROVIDER). */
export const SMS_PROVIDER = Symbol('SMS_PROVIDER');

/** One SMS to one number (issue 7): the outbox calls a provider; which one is SMS_PROVIDER. */
export interface SmsMessage {
  to: string;
  text: string;
  /** Stable across retries of one notification, so a provider (or its receiver) can drop a repeat. */
  messageId: string;
}

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<{ messageId: string }>;
}

/** A number that cannot receive an SMS (not a mobile number): retrying never helps. */
export class InvalidSmsRecipientError extends Error {
  override readonly name = 'InvalidSmsRecipientError';
  constructor(readonly recipient: string) {
    super(`Not a mobile number for SMS: ${JSON.stringify(recipient.slice(0, 40))}`);
  }
}

/** Mainland mobiles (+86 optional) and E.164 numbers of other countries, normalised to +<digits>; null otherwise. */
export function smsNumberOf(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const compact = phone.replace(/[\s-]/g, '');
  const mainland = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(compact);
  if (mainland) return `+86${mainland[1]}`;
  // any other Chinese number is a landline; elsewhere E.164 is taken as it is
  return /^\+[1-9]\d{7,14}$/.test(compact) && !compact.startsWith('+86') ? compact : null;
}

/** SMS text as it leaves: control characters (line breaks aside) removed, so customer data cannot smuggle any in. */
export function smsText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
}
