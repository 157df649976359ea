import { buildTopCredentialsCheck, readTopSeller, topSettingsOf } from './providers/taobao';
import type { SignedRequest } from './providers/provider-types';

/** How long one call to the TOP gateway may take before it counts as failed. */
const TOP_CALL_TIMEOUT_MS = 15_000;
/** The largest answer read. */
const TOP_ANSWER_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Sends a signed TOP request (src/integrations/providers/taobao.ts builds them; this is the network side, issue 15
 * item 1) and gives back the answer's text, or why there is none. The request carries the session key: neither it nor
 * the body is ever part of a reason.
 */
export async function callTop(request: SignedRequest, { maxBytes = TOP_ANSWER_MAX_BYTES } = {}): Promise<{ ok: true; body: string } | { ok: false; reason: string }> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TOP_CALL_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, reason: `the TOP gateway ${new URL(request.url).origin} could not be reached: ${reason}` };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, reason: `the TOP gateway answered HTTP ${response.status}` };
  }
  const body = await boundedText(response, maxBytes).catch((error: Error) => error);
  if (body instanceof Error) return { ok: false, reason: `the TOP gateway's answer could not be read: ${body.message}` };
  return { ok: true, body };
}

/** The answer's text, refused past `maxBytes` (a page of 100 trades is a few hundred KB; a gateway is not trusted to stop). */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`it is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `POST /api/integrations/{id}/test` for a taobao connector: one signed taobao.user.seller.get with the stored credentials. */
export async function testTaobaoCredentials(settings: Record<string, unknown>, secrets: Record<string, string>): Promise<{ ok: boolean; message: string }> {
  const answer = await callTop(buildTopCredentialsCheck(topSettingsOf(settings, secrets)));
  if (!answer.ok) return { ok: false, message: answer.reason };
  const seller = readTopSeller(answer.body);
  if (!seller.ok) return { ok: false, message: `TOP refused the credentials: ${seller.reason}` };
  return { ok: true, message: `Connected to the Taobao shop ${seller.value || '(nick not returned)'}` };
}
