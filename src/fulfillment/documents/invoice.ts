import { multiplyMoney, sumMoney } from '../../common/money';
import { createPdf, drawTable, numberPages, renderPdf } from './pdf';
import { formatAddress, formatTime, type ShipmentDocumentData } from './shipment-document-data';

const PAYMENT_METHODS: Record<string, string> = { alipay: '支付宝 Alipay', wechat: '微信支付 WeChat Pay', wechatpay: '微信支付 WeChat Pay', cod: '货到付款 COD', bank: '银行转账 Bank transfer' };

/** The amounts an invoice prints, in decimal strings computed on integer cents (DESIGN "Data rules": never floats). */
export function invoiceTotals(order: Pick<ShipmentDocumentData['order'], 'lines' | 'shippingFee'>): {
  lines: Array<{ lineTotal: string }>;
  itemsTotal: string;
  shippingFee: string;
  grandTotal: string;
} {
  const lines = order.lines.map((line) => ({ lineTotal: multiplyMoney(line.unitPrice, line.quantity) }));
  const itemsTotal = sumMoney(lines.map((line) => line.lineTotal));
  return { lines, itemsTotal, shippingFee: sumMoney([order.shippingFee]), grandTotal: sumMoney([itemsTotal, order.shippingFee]) };
}

/** The order's invoice (a commercial invoice, not a tax fapiao): seller, buyer, priced lines and totals. */
export async function renderInvoice(data: ShipmentDocumentData): Promise<Buffer> {
  const doc = createPdf({ size: 'A4', margin: 40, title: `发票 ${data.order.number}` });
  const { order } = data;
  const width = doc.page.width - 80;
  const totals = invoiceTotals(order);

  doc.font('bold').fontSize(20).text('发票 Invoice', 40, 40, { width });
  doc.font('regular').fontSize(9).text(`订单号 Order  ${order.number}`, 40, 44, { width, align: 'right' });
  doc.text(`日期 Date  ${formatTime(order.paidAt ?? order.placedAt, data.timeZone).slice(0, 10)}`, 40, doc.y + 2, { width, align: 'right' });
  const partiesTop = 90;
  const half = width / 2 - 10;
  doc.font('bold').fontSize(10).text('销售方 Seller', 40, partiesTop, { width: half });
  doc.font('regular').fontSize(10).text(data.shop.name, 40, doc.y + 2, { width: half });
  doc.font('bold').fontSize(10).text('购买方 Buyer', 40 + half + 20, partiesTop, { width: half });
  doc.font('regular').fontSize(10).text(order.customer.name, 40 + half + 20, doc.y + 2, { width: half });
  doc.fontSize(9).text(order.customer.phone, { width: half });
  if (order.customer.email) doc.text(order.customer.email, { width: half });
  doc.text(formatAddress(order.address), { width: half });
  doc.x = 40;
  doc.y = Math.max(doc.y, partiesTop + 40) + 16;

  drawTable(
    doc,
    [
      { header: '#', width: 26, align: 'right' },
      { header: 'SKU', width: 140 },
      { header: '品名 Description', width: width - 26 - 140 - 50 - 80 - 90 },
      { header: '数量 Qty', width: 50, align: 'right' },
      { header: '单价 Unit price', width: 80, align: 'right' },
      { header: '金额 Amount', width: 90, align: 'right' },
    ],
    order.lines.map((line, i) => [String(line.lineNo), line.sku, line.name, String(line.quantity), `¥${line.unitPrice}`, `¥${totals.lines[i].lineTotal}`]),
  );
  const summary: Array<[string, string, boolean]> = [
    ['商品合计 Items total', totals.itemsTotal, false],
    ['运费 Shipping', totals.shippingFee, false],
    ['应付总额 Total (CNY)', totals.grandTotal, true],
  ];
  doc.moveDown(0.6);
  for (const [label, amount, strong] of summary) {
    const y = doc.y;
    doc.font(strong ? 'bold' : 'regular').fontSize(strong ? 11 : 10);
    doc.text(label, 40, y, { width: width - 100, align: 'right' });
    doc.text(`¥${amount}`, 40 + width - 90, y, { width: 90, align: 'right' });
    doc.y = y + (strong ? 18 : 15);
  }
  doc.x = 40;
  const payment = order.paymentStatus === 'paid'
    ? `已支付 Paid ¥${order.paymentAmount ?? totals.grandTotal} · ${PAYMENT_METHODS[order.paymentMethod] ?? order.paymentMethod} · ${formatTime(order.paidAt, data.timeZone)}`
    : `待支付 Payment pending · ${PAYMENT_METHODS[order.paymentMethod] ?? order.paymentMethod}`;
  doc.moveDown(1).font('regular').fontSize(9).text(payment, 40, doc.y, { width });
  doc.moveDown(1.5).fontSize(8).fillColor('#666666')
    .text('本单据为商业发票，不作为增值税发票使用。This is a commercial invoice, not a VAT fapiao.', 40, doc.y, { width })
    .fillColor('black');
  numberPages(doc);
  return renderPdf(doc);
}
