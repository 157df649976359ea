import type { OpenedIntegration } from '../integrations.service';
import type { SignedRequest } from '../providers/provider-types';

/** A push as its sender gets it: what to say (topic, payload) and the attempt this is. */
export interface ClaimedPush {
  id: string;
  integrationId: string;
  topic: string;
  key: string;
  reference: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * Delivers one topic to one kind of connector (e.g. shopify × fulfilment): resolves when the provider accepted it, throws to
 * retry later, throws a PermanentPushError when sending it again cannot help (the provider refused what we sent).
 */
export type PushSender = (connector: OpenedIntegration, push: ClaimedPush) => Promise<void>;

/** A failure that retrying cannot mend: the push becomes a dead letter at once (an operator can send it again after a fix). */
export class PermanentPushError extends Error {
  /**
   * `quiet`: the provider lacks the one record the push is about (a SKU a shop does not list, issue 15 item 2), which is
   * normal for part of a catalogue: dead and shown with its reason, but no system alert and no connector error for it.
   */
  constructor(message: string, readonly options: { quiet?: boolean } = {}) {
    super(message);
  }
}

/** A provider's answer other than 2xx; 4xx other than 408/425/429 means it refused what we sent (permanent). */
export class PushHttpError extends Error {
  constructor(readonly status: number, readonly body: string, url: string) {
    super(`${new URL(url).host} answered ${status}: ${body.replace(/\s+/g, ' ').slice(0, 300)}`);
  }

  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && ![408, 425, 429].includes(this.status);
  }
}

const SEND_TIMEOUT_MS = 30_000;

/**
 * Sends a signed request (providers/*.ts build them) and returns the answer's body; a network error, a timeout or a 5xx
 * throws to be retried, a refusing 4xx throws a permanent error.
 */
export async function sendSignedRequest(request: SignedRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' ? undefined : request.body,
    redirect: 'error',
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  const body = await response.text();
  if (response.ok) return { status: response.status, body };
  const error = new PushHttpError(response.status, body, request.url);
  throw error.permanent ? new PermanentPushError(error.message) : error;
}
