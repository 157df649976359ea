import bwipjs from 'bwip-js';
import { createPdf, MM, type Pdf, renderPdf } from './pdf';
import { carrierName, formatAddress, formatTime, type ShipmentDocumentData } from './shipment-document-data';

/** A Code128 barcode as PNG; bwip-js draws the human-readable text under the bars. */
function code128(text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: 'code128', text, scale: 3, height: 14, includetext: true, textxalign: 'center', textsize: 11 });
}

/**
 * G1.4 shipping label on a 100 × 150 mm thermal label: carrier and tracking-number barcode (the order number's while
 * the carrier has not assigned one), recipient, sender, order reference.
 */
export async function renderShippingLabel(data: ShipmentDocumentData): Promise<Buffer> {
  return renderShippingLabels([data], `面单 ${data.order.number}`);
}

const LABEL_WIDTH = 100 * MM;
const LABEL_HEIGHT = 150 * MM;
const LABEL_MARGIN = 4 * MM;

/** Several labels in one PDF, one per page, so a wave's labels go to the thermal printer as one job. */
export async function renderShippingLabels(labels: ShipmentDocumentData[], title: string): Promise<Buffer> {
  const doc = createPdf({ size: [LABEL_WIDTH, LABEL_HEIGHT], margin: LABEL_MARGIN, title });
  for (const [index, data] of labels.entries()) {
    if (index > 0) doc.addPage({ size: [LABEL_WIDTH, LABEL_HEIGHT], margin: LABEL_MARGIN });
    await drawShippingLabel(doc, data);
  }
  return renderPdf(doc);
}

async function drawShippingLabel(doc: Pdf, data: ShipmentDocumentData): Promise<void> {
  const width = LABEL_WIDTH;
  const height = LABEL_HEIGHT;
  const margin = LABEL_MARGIN;
  const inner = width - 2 * margin;
  const { shipment, order, warehouse } = data;
  const rule = (y: number, weight = 1) => doc.moveTo(margin, y).lineTo(width - margin, y).lineWidth(weight).strokeColor('black').stroke();
  const block = (label: string, y: number, draw: (x: number, w: number) => void) => {
    doc.font('bold').fontSize(16).fillColor('black').text(label, margin, y + 2, { width: 22 });
    draw(margin + 26, inner - 26);
  };

  // carrier (its name alone: the barcode below carries the rest)
  doc.font('bold').fontSize(15).text(shipment.carrier ? carrierName(shipment.carrier) : '承运商待定', margin, margin, { width: inner * 0.7, lineBreak: false });
  if (!shipment.carrier) doc.font('regular').fontSize(7).text('carrier pending', margin + 80, margin + 8, { width: 80, lineBreak: false });
  doc.font('regular').fontSize(8).text(formatTime(shipment.packedAt ?? new Date(), data.timeZone), margin, margin + 4, { width: inner, align: 'right' });
  rule(margin + 24, 1.5);

  // barcode of the tracking number, or of the order number while it is pending
  const barcodeTop = margin + 30;
  const barcodeText = shipment.trackingNumber ?? order.number;
  doc.image(await code128(barcodeText), margin + 8, barcodeTop, { fit: [inner - 16, 62], align: 'center' });
  const caption = shipment.trackingNumber ? `运单号 Tracking No. ${shipment.trackingNumber}` : '运单号待分配 · tracking number pending（条码为订单号）';
  doc.font(shipment.trackingNumber ? 'bold' : 'regular').fontSize(shipment.trackingNumber ? 9 : 8).text(caption, margin, barcodeTop + 66, { width: inner, align: 'center', lineBreak: false });
  const afterBarcode = barcodeTop + 84;
  rule(afterBarcode, 1.5);

  // recipient
  block('收', afterBarcode + 4, (x, w) => {
    doc.font('bold').fontSize(13).text(`${order.customer.name}  ${order.customer.phone}`, x, afterBarcode + 4, { width: w });
    doc.font('regular').fontSize(11).text(formatAddress(order.address), x, doc.y + 2, { width: w });
    if (order.address.postalCode) doc.fontSize(8).text(`邮编 ${order.address.postalCode}`, x, doc.y + 1, { width: w });
  });
  const afterRecipient = Math.max(doc.y + 6, afterBarcode + 80);
  rule(afterRecipient);

  // sender
  block('寄', afterRecipient + 4, (x, w) => {
    doc.font('bold').fontSize(10).text(`${data.shop.name} · ${warehouse.name}`, x, afterRecipient + 4, { width: w });
    doc.font('regular').fontSize(9).text(`${warehouse.province}${warehouse.city === warehouse.province ? '' : ` ${warehouse.city}`}  (${warehouse.code})`, x, doc.y + 1, { width: w });
  });
  const afterSender = Math.max(doc.y + 6, afterRecipient + 44);
  rule(afterSender);

  // reference: the order, the contents
  const units = shipment.lines.reduce((sum, line) => sum + line.quantity, 0);
  doc.font('regular').fontSize(9).fillColor('black');
  doc.text(`订单号 Order: ${order.number}`, margin, afterSender + 5, { width: inner });
  doc.text(`件数 Items: ${units} (${shipment.lines.length} SKU)`, margin, doc.y + 1, { width: inner });
  doc.fontSize(7).fillColor('#444444').text(`Shipment ${shipment.id}`, margin, doc.y + 1, { width: inner }).fillColor('black');
  // contents, for the courier and the recipient; cut short where the signature box begins
  const contents = shipment.lines.map((line) => `${line.name || line.sku} ×${line.quantity}`).join('，');
  const signatureTop = height - margin - 34;
  doc.font('regular').fontSize(8).text(`内件 Contents: ${contents}`, margin, doc.y + 6, { width: inner, height: Math.max(0, signatureTop - doc.y - 12), ellipsis: true });
  drawSignatureBox(doc, margin, height - margin - 34, inner);
}

function drawSignatureBox(doc: Pdf, x: number, y: number, width: number): void {
  doc.rect(x, y, width, 34).lineWidth(0.75).strokeColor('black').stroke();
  doc.font('regular').fontSize(8).fillColor('black').text('签收人 Signature:                       日期 Date:', x + 4, y + 4, { width: width - 8 });
  doc.fontSize(6.5).fillColor('#444444').text('快件送达收件人地址，经收件人或其授权人签收，视为送达。', x + 4, y + 20, { width: width - 8 });
  doc.fillColor('black');
}
