import type { WaybillState } from '../../fulfillment/carrier-hooks';

/**
 * What the packer reads after 打包 when the parcel's carrier has an e-waybill (issue 15 item 4): the number to print, or
 * that the packing is saved and the number follows (the carrier's service down). English here; Chinese in
 * src/admin/locale/waybill-notices.ts.
 */
export function packedNotice(packed: string, waybill: WaybillState | undefined): string {
  if (!waybill) return packed;
  const reason = waybill.lastError ? ` (${waybill.lastError.replace(/[()]/g, ' ').trim()})` : '';
  if (waybill.status === 'issued') return `${packed}; e-waybill ${waybill.carrier} ${waybill.trackingNumber} issued: print the label`;
  if (waybill.status === 'failed') return `${packed}; the ${waybill.carrier} e-waybill could not be obtained${reason}: check the Kuaidi100 connector, then fetch it again`;
  return `${packed}; the ${waybill.carrier} e-waybill is not issued yet${reason}: it is retried automatically; print the label once the number is in`;
}
