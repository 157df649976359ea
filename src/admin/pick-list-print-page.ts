import { createHash } from 'node:crypto';
import type { PickListView } from '../fulfillment/pick-list.service';
import { ADMIN_TRANSLATIONS, type AdminLanguage } from './locale';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page's one script: its Print button (window.print), allowed by hash, nothing else may run. */
const PRINT_SCRIPT = `document.getElementById('print').addEventListener('click', function () { window.print(); });`;

/** What the print page may do: its styles, its print button's script, nothing loaded from anywhere. */
export const PICK_LIST_PRINT_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(PRINT_SCRIPT, 'utf8').digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const STYLE = `
  body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #000; }
  h1 { font-size: 22px; margin: 0 0 8px; }
  .meta { display: flex; flex-wrap: wrap; gap: 4px 24px; font-size: 13px; margin-bottom: 16px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; }
  th, td { border: 1px solid #000; padding: 6px 8px; text-align: left; }
  th { background: #eee; }
  td.qty { text-align: right; font-weight: bold; font-size: 16px; }
  td.bin { font-weight: bold; white-space: nowrap; }
  td.check { width: 48px; }
  .orders { font-size: 12px; margin-top: 16px; }
  .sign { margin-top: 24px; font-size: 13px; display: flex; gap: 64px; }
  button { font-size: 14px; padding: 6px 20px; margin-bottom: 16px; }
  @media print { button { display: none; } body { margin: 0; } @page { margin: 12mm; } }`;

/**
 * G1.4: the pick list as the picker carries it through the warehouse, in the reader's language: lines in walking order
 * (bin, SKU, product, quantity, a box to tick), the orders of the wave, and a Print button.
 */
export function pickListPrintPage(pickList: PickListView, language: AdminLanguage, timeZone: string): string {
  const t = ADMIN_TRANSLATIONS[language].ui.warehouseWork;
  const status = (ADMIN_TRANSLATIONS[language].enums.pickListStatus as Record<string, string>)[pickList.status] ?? pickList.status;
  const when = (at: string | null) => (at ? new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(at)) : '');
  const colon = language === 'en' ? ': ' : '：';
  const units = pickList.lines.reduce((sum, line) => sum + line.quantity, 0);
  const rows = pickList.lines
    .map(
      (line, index) =>
        `<tr><td>${index + 1}</td><td class="bin">${escapeHtml(line.bin ?? t.noBin)}</td><td>${escapeHtml(line.sku)}</td><td>${escapeHtml(line.name)}</td><td class="qty">${line.quantity}</td><td class="check"></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><title>${escapeHtml(`${t.pickList} ${pickList.number}`)}</title><style>${STYLE}</style></head>
<body>
<button id="print" type="button">${escapeHtml(t.print)}</button>
<h1>${escapeHtml(`${t.pickList} ${pickList.number}`)}</h1>
<div class="meta">
  <span>${escapeHtml(t.warehouse)}${colon}${escapeHtml(pickList.warehouse)}</span>
  <span>${escapeHtml(t.statusLabel)}${colon}${escapeHtml(status)}</span>
  <span>${escapeHtml(t.createdBy)}${colon}${escapeHtml(pickList.createdBy)} ${escapeHtml(when(pickList.createdAt))}</span>
  <span>${escapeHtml(t.totalsValue.replace('{{shipments}}', String(pickList.shipments.length)).replace('{{skus}}', String(pickList.lines.length)).replace('{{units}}', String(units)))}</span>
</div>
<table data-testid="print-lines">
<thead><tr><th>${escapeHtml(t.lineNo)}</th><th>${escapeHtml(t.bin)}</th><th>${escapeHtml(t.sku)}</th><th>${escapeHtml(t.productName)}</th><th>${escapeHtml(t.quantity)}</th><th>${escapeHtml(t.picked)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<div class="orders">${escapeHtml(t.waveOrders)}${colon}${pickList.shipments.map((shipment) => escapeHtml(shipment.orderNumber)).join('、')}</div>
<div class="sign"><span>${escapeHtml(t.pickerSignature)}${colon}</span><span>${escapeHtml(t.checkerSignature)}${colon}</span></div>
<script>${PRINT_SCRIPT}</script>
</body>
</html>`;
}
