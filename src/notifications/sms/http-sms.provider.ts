import type { SmsMessage, SmsProvider } from './sms-provider';

/**
 * An SMS gateway reached over HTTP: `POST <url>` with `{to, text, messageId}` as JSON and `Authorization: Bearer <token>`;
 * any 2xx is accepted (its JSON `id` or `messageId`, if any, is kept), anything else is a failure the outbox retries.
 */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';

  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}: ${body.slice(0, 300)}`);
    let id: unknown;
    try {
      const json = JSON.parse(body) as { id?: unknown; messageId?: unknown };
      id = json.id ?? json.messageId;
    } catch {
      id = undefined;
    }
    return { messageId: typeof id === 'string' || typeof id === 'number' ? String(id) : message.messageId };
  }
}
