import type { ErrorDetail } from '../../common/errors';
import { CARRIER_CODES, isCarrierCode } from '../../tracking/carriers/carriers';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isHttpUrl = (value: unknown): boolean => typeof value === 'string' && value.length <= 500 && /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value);

/** The settings of a kuaidi100 connector that the carrier work reads (kuaidi100-connector.ts), checked when saved (422). */
export function kuaidi100SettingProblems(settings: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const { apiBaseUrl, pollCarriers, eWaybills, sender } = settings;
  if (apiBaseUrl !== undefined && !isHttpUrl(apiBaseUrl)) problems.push({ path: 'settings.apiBaseUrl', message: 'must be an http:// or https:// URL, without ? or #' });
  if (pollCarriers !== undefined && (!Array.isArray(pollCarriers) || !pollCarriers.every((code) => typeof code === 'string' && isCarrierCode(code)))) {
    problems.push({ path: 'settings.pollCarriers', message: `must be a list of carrier codes (${CARRIER_CODES.join(', ')})` });
  }
  if (eWaybills !== undefined) {
    if (!isObject(eWaybills)) problems.push({ path: 'settings.eWaybills', message: 'must be an object of carrier code → {tempId, partnerId?, ...}' });
    else {
      for (const [carrier, config] of Object.entries(eWaybills)) {
        const path = `settings.eWaybills.${carrier}`;
        if (!isCarrierCode(carrier)) problems.push({ path, message: `is not a carrier code (${CARRIER_CODES.join(', ')})` });
        else if (!isObject(config) || typeof config.tempId !== 'string' || !config.tempId.trim()) problems.push({ path: `${path}.tempId`, message: 'is required: the template id from Kuaidi100\'s template library' });
        else if (Object.values(config).some((value) => typeof value !== 'string')) problems.push({ path, message: 'must hold strings only (the carrier account\'s password goes in the secrets partnerKey_<carrier>)' });
      }
    }
  }
  if (sender !== undefined && (!isObject(sender) || Object.values(sender).some((value) => typeof value !== 'string') || typeof sender.mobile !== 'string' || !/^[0-9+\- ]{5,20}$/.test(sender.mobile))) {
    problems.push({ path: 'settings.sender', message: 'must be {name?, mobile, printAddr?}: the sender printed on the e-waybill, mobile a phone number' });
  }
  return problems;
}
