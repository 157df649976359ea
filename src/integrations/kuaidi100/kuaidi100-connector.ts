import type { OpenedIntegration } from '../integrations.service';
import { atKuaidi100Base, type Kuaidi100Settings } from '../providers/kuaidi100';
import type { SignedRequest } from '../providers/provider-types';

/**
 * A kuaidi100 connector's settings and secrets as the carrier work reads them (issue 15 item 4; README "Kuaidi100").
 * Secrets: `key` (授权key), `salt` (ours: signs each push), `customer` (实时查询 customer id, for polling), `secret`
 * (e-waybill), `partnerKey_<carrier>` / `partnerSecret_<carrier>` (the carrier account's password, where it needs one).
 * Settings: `pollCarriers` (carrier codes Kuaidi100 does not push for: polled instead), `apiBaseUrl` (another origin for
 * Kuaidi100's APIs: a proxy, or a test's fake), `eWaybills` {<carrier>: {tempId, partnerId?, net?, code?, checkMan?,
 * partnerName?, expType?, payType?}}, `sender` {name, mobile, printAddr?} (printAddr defaults to the warehouse's).
 */

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

export function apiBaseUrlOf(connector: Pick<OpenedIntegration, 'settings'>): string | undefined {
  return str(connector.settings.apiBaseUrl);
}

/** Carriers the connector polls rather than subscribes (no push at Kuaidi100 for them). */
export function pollCarriersOf(settings: Record<string, unknown>): string[] {
  return Array.isArray(settings.pollCarriers) ? settings.pollCarriers.filter((code): code is string => typeof code === 'string') : [];
}

/** The carriers the connector issues e-waybills for. */
export function eWaybillCarriersOf(settings: Record<string, unknown>): string[] {
  return Object.entries(record(settings.eWaybills)).filter(([, config]) => str(record(config).tempId)).map(([carrier]) => carrier);
}

export interface EWaybillConfig {
  tempId: string;
  account: { partnerId?: string; partnerKey?: string; partnerSecret?: string; partnerName?: string; net?: string; code?: string; checkMan?: string };
  expType?: string;
  payType?: 'SHIPPER' | 'CONSIGNEE' | 'MONTHLY';
  sender: { name?: string; mobile?: string; printAddr?: string };
  cargo?: string;
}

export function eWaybillConfigOf(connector: OpenedIntegration, carrier: string): EWaybillConfig | null {
  const config = record(record(connector.settings.eWaybills)[carrier]);
  const tempId = str(config.tempId);
  if (!tempId) return null;
  const payType = str(config.payType);
  const sender = record(connector.settings.sender);
  return {
    tempId,
    account: {
      partnerId: str(config.partnerId),
      partnerKey: connector.secrets[`partnerKey_${carrier}`],
      partnerSecret: connector.secrets[`partnerSecret_${carrier}`],
      partnerName: str(config.partnerName),
      net: str(config.net),
      code: str(config.code),
      checkMan: str(config.checkMan),
    },
    expType: str(config.expType),
    payType: payType === 'SHIPPER' || payType === 'CONSIGNEE' || payType === 'MONTHLY' ? payType : undefined,
    sender: { name: str(sender.name), mobile: str(sender.mobile), printAddr: str(sender.printAddr) },
    cargo: str(config.cargo) ?? str(connector.settings.cargo),
  };
}

/** What buildKuaidi100Subscription / buildKuaidi100LabelRequest need; an Error naming the missing secret otherwise. */
export function kuaidi100SettingsOf(connector: OpenedIntegration, callbackUrl: string): Kuaidi100Settings {
  const { key, salt, secret } = connector.secrets;
  if (!key) throw new Kuaidi100ConfigError(`connector ${connector.name} has no secret "key" (授权key)`);
  if (!salt) throw new Kuaidi100ConfigError(`connector ${connector.name} has no secret "salt": Kuaidi100 signs its pushes with it, set a random string`);
  return { key, salt, secret, callbackUrl };
}

/** A setting or secret is missing: retrying will not help until a person sets it. */
export class Kuaidi100ConfigError extends Error {}

/** Kuaidi100 did not answer, or answered HTTP 4xx/5xx. */
export class Kuaidi100Unreachable extends Error {}

/** How long one call to Kuaidi100 may take; well inside the leases (LEASE_SECONDS) so that no other worker repeats it meanwhile. */
const CALL_TIMEOUT_MS = 15_000;
export const LEASE_SECONDS = 120;

/** Sends a signed request (to the connector's apiBaseUrl when set) and returns the answer's body. */
export async function sendToKuaidi100(request: SignedRequest, apiBaseUrl: string | undefined): Promise<string> {
  const target = atKuaidi100Base(request, apiBaseUrl);
  let response: Response;
  try {
    response = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body, redirect: 'manual', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new Kuaidi100Unreachable(`Kuaidi100 could not be reached (${new URL(target.url).host}): ${reason}`);
  }
  const body = await response.text().catch(() => '');
  if (!response.ok) throw new Kuaidi100Unreachable(`Kuaidi100 answered HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  return body;
}
