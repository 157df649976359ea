import { compareBins } from '../bin-order';
import { createPdf, drawTable, numberPages, renderPdf } from './pdf';
import { carrierName, formatAddress, formatTime, type ShipmentDocumentData } from './shipment-document-data';

/** G1.4 packing slip (outbound slip): what goes into this box, in bin order so a packer can check it against the shelf. */
export async function renderPackingSlip(data: ShipmentDocumentData): Promise<Buffer> {
  const doc = createPdf({ size: 'A4', margin: 40, title: `装箱单 ${data.order.number}` });
  const { shipment, order, warehouse } = data;
  const width = doc.page.width - 80;

  doc.font('bold').fontSize(18).text('装箱单 Packing slip', 40, 40, { width });
  doc.font('regular').fontSize(9).fillColor('#444444').text(data.shop.name, 40, 44, { width, align: 'right' }).fillColor('black');
  doc.moveDown(0.8);
  const facts: Array<[string, string]> = [
    ['订单号 Order', order.number],
    ['发货仓 Warehouse', `${warehouse.name} (${warehouse.code})`],
    ['下单时间 Placed', formatTime(order.placedAt, data.timeZone)],
    ['承运商 Carrier', `${carrierName(shipment.carrier)}${shipment.trackingNumber ? `  ${shipment.trackingNumber}` : ''}`],
    ['收件人 Ship to', `${order.customer.name}  ${order.customer.phone}`],
    ['地址 Address', formatAddress(order.address)],
  ];
  const top = doc.y;
  facts.forEach(([label, value], i) => {
    const y = top + i * 16;
    doc.font('bold').fontSize(9).text(label, 40, y, { width: 110 });
    doc.font('regular').fontSize(9).text(value, 150, y, { width: width - 110 });
  });
  doc.x = 40;
  doc.y = top + facts.length * 16 + 10;

  const lines = [...shipment.lines].sort((a, b) => compareBins(a.bin, b.bin) || a.sku.localeCompare(b.sku));
  drawTable(
    doc,
    [
      { header: '#', width: 26, align: 'right' },
      { header: '库位 Bin', width: 80 },
      { header: 'SKU', width: 110 },
      { header: '品名 Name', width: width - 26 - 80 - 110 - 60 - 40 },
      { header: '数量 Qty', width: 60, align: 'right' },
      { header: '✓', width: 40, align: 'center' },
    ],
    lines.map((line, i) => [String(i + 1), line.bin ?? '—', line.sku, line.name, String(line.quantity), '□']),
  );
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  doc.moveDown(0.6).font('bold').fontSize(10).text(`合计 Total: ${units} 件 / units, ${lines.length} SKU`, 40, doc.y, { width, align: 'right' });
  if (order.notes) doc.moveDown(0.6).font('regular').fontSize(9).text(`备注 Notes: ${order.notes}`, 40, doc.y, { width });
  doc.moveDown(2).font('regular').fontSize(9).text('拣货 Picked by: ____________    包装 Packed by: ____________    复核 Checked by: ____________', 40, doc.y, { width });
  doc.fontSize(7).fillColor('#666666').text(`Shipment ${shipment.id}`, 40, doc.y + 8, { width }).fillColor('black');
  numberPages(doc);
  return renderPdf(doc);
}
