import type { OrderView } from '../../orders/order-view';

/** What the order's show page adds to the record: lines, shipments, history and flags as readable text (G2.5). */
export function orderDetailParams(view: OrderView): Record<string, string> {
  return {
    address: formatAddress(view.shippingAddress),
    flagList: view.flags.length > 0 ? view.flags.map((flag) => `${flag.code} — ${flag.message}`).join('\n') : 'none',
    lines: view.lines
      .map((line, index) => `${index + 1}. ${line.sku} ${line.name} × ${line.quantity} @ ${line.unitPrice} (reserved ${line.reserved}, shipped ${line.shipped})`)
      .join('\n'),
    shipments:
      view.shipments.length > 0
        ? view.shipments
            .map((shipment) => {
              const parcel = shipment.trackingNumber ? `, ${shipment.carrier ?? 'carrier'} ${shipment.trackingNumber}` : '';
              const items = shipment.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ');
              return `${shipment.warehouse} — ${shipment.status}${parcel} — ${items}`;
            })
            .join('\n')
        : 'none yet',
    history: view.history
      .map((entry) => `${entry.at}  ${entry.from ?? '(new)'} → ${entry.to}  by ${entry.by}${entry.note ? `  — ${entry.note}` : ''}`)
      .join('\n'),
  };
}

function formatAddress(address: OrderView['shippingAddress']): string {
  return [address.province, address.city, address.district, address.line1, address.postalCode, address.country].filter(Boolean).join(' ');
}
