import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Request, Response } from 'express';
import { PDFDocument } from 'pdf-lib';
import { Public } from '../auth/auth.decorators';
import { NotFoundError, ValidationError } from '../common/errors';
import { SHIPMENT_DOCUMENTS, type ShipmentDocument, ShipmentDocumentsService } from '../fulfillment/documents/shipment-documents.service';
import type { OrderView } from '../orders/order-view';
import { OrdersService } from '../orders/orders.service';
import { csvText, CONTENT_TYPES, shopTime, UTF8_BOM, wallClock } from '../reports/report-files';
import { SettingsService } from '../settings/settings.service';
import { AdminIdentity } from './admin-auth';
import { filterOf } from './resources/order-search';

/** An export is for a filtered list; past this many orders the operator narrows the filter (or uses the reports). */
export const MAX_EXPORT_ROWS = 20_000;
const PAGE = 500;
/** A print run of the selection (the list's page is at most 200 orders). */
const MAX_PRINT_ORDERS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The export's columns: the list's, plus what a spreadsheet user filters on (address, SKUs). */
const COLUMNS: Array<{ name: string; kind: 'text' | 'money' | 'time'; of: (order: OrderView) => string }> = [
  { name: 'number', kind: 'text', of: (o) => o.number },
  { name: 'status', kind: 'text', of: (o) => o.status },
  { name: 'channel', kind: 'text', of: (o) => o.channel },
  { name: 'externalId', kind: 'text', of: (o) => o.externalId },
  { name: 'customer', kind: 'text', of: (o) => o.customer.name },
  { name: 'phone', kind: 'text', of: (o) => o.customer.phone },
  { name: 'email', kind: 'text', of: (o) => o.customer.email ?? '' },
  { name: 'province', kind: 'text', of: (o) => o.shippingAddress?.province ?? '' },
  { name: 'city', kind: 'text', of: (o) => o.shippingAddress?.city ?? '' },
  { name: 'lines', kind: 'text', of: (o) => o.lines.map((line) => `${line.sku}×${line.quantity}`).join('; ') },
  { name: 'itemsTotal', kind: 'money', of: (o) => o.totals.items },
  { name: 'shippingFee', kind: 'money', of: (o) => o.totals.shipping },
  { name: 'grandTotal', kind: 'money', of: (o) => o.totals.grand },
  { name: 'paymentStatus', kind: 'text', of: (o) => o.payment.status },
  { name: 'placedAt', kind: 'time', of: (o) => o.placedAt },
];

/**
 * The order list's export of its current filter (CSV / XLSX) and batch print of the selection's shipment documents
 * (issue 14 item 6), to the admin session: under /admin so its cookie reaches them, with the permission of the list
 * (orders.read, as GET /api/orders and the shipment PDFs) read again from the database.
 */
@ApiExcludeController()
@Public()
@Controller('admin/orders')
export class OrderListController {
  constructor(
    private readonly identity: AdminIdentity,
    private readonly orders: OrdersService,
    private readonly settings: SettingsService,
    private readonly documents: ShipmentDocumentsService,
  ) {}

  /** `?format=csv|xlsx&filters.<property>=...`: the list's filters, as the list reads them (order-search.ts). */
  @Get('export')
  async export(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'orders.read');
    const format = query.format === undefined ? 'csv' : query.format;
    if (format !== 'csv' && format !== 'xlsx') throw ValidationError.of('format', 'must be csv or xlsx');
    const filters = Object.fromEntries(Object.entries(query).filter(([key]) => key.startsWith('filters.')).map(([key, value]) => [key.slice('filters.'.length), value]));
    const parsed = await filterOf(filters, this.settings);
    if ('problem' in parsed) throw ValidationError.of('filters', parsed.problem);
    const first = await this.orders.list(parsed.filter, 0, PAGE);
    if (first.total > MAX_EXPORT_ROWS) throw ValidationError.of('filters', `match ${first.total} orders; an export takes at most ${MAX_EXPORT_ROWS}: narrow the filter`);
    const orders = [...first.items];
    for (let offset = PAGE; offset < first.total; offset += PAGE) orders.push(...(await this.orders.list(parsed.filter, offset, PAGE)).items);
    const { timeZone } = await this.settings.get();
    const stamp = shopTime(new Date().toISOString(), timeZone).replace(/[-: ]/g, '').slice(0, 12);
    const body = format === 'csv' ? this.csv(orders, timeZone) : await this.xlsx(orders, timeZone);
    response
      .status(200)
      .type(CONTENT_TYPES[format])
      .set({ 'Content-Disposition': `attachment; filename="orders_${stamp}.${format}"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' })
      .send(body);
  }

  /** `?orders=<id>,<id>&document=label|packing-slip|invoice`: that document of every open or sent shipment of the orders, as one PDF. */
  @Get('documents')
  async print(@Query('orders') ids: unknown, @Query('document') document: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'orders.read');
    if (!SHIPMENT_DOCUMENTS.includes(document as ShipmentDocument)) throw ValidationError.of('document', `must be one of ${SHIPMENT_DOCUMENTS.join(', ')}`);
    const orderIds = typeof ids === 'string' ? ids.split(',').filter(Boolean) : [];
    if (orderIds.length === 0 || orderIds.length > MAX_PRINT_ORDERS || orderIds.some((id) => !UUID.test(id))) {
      throw ValidationError.of('orders', `must be 1-${MAX_PRINT_ORDERS} order ids, comma-separated`);
    }
    const views = await Promise.all(orderIds.map((id) => this.orders.get(id)));
    const shipments = views.flatMap((view) => view.shipments.filter((shipment) => shipment.status !== 'cancelled' && !shipment.mergedInto));
    if (shipments.length === 0) throw new NotFoundError('Shipment of the selected orders', orderIds.join(','));
    const combined = await PDFDocument.create();
    for (const shipment of shipments) {
      const { pdf } = await this.documents.render(shipment.id, document as ShipmentDocument);
      const source = await PDFDocument.load(pdf);
      for (const page of await combined.copyPages(source, source.getPageIndices())) combined.addPage(page);
    }
    response
      .status(200)
      .type('application/pdf')
      .set({ 'Content-Disposition': `inline; filename="${document}-${shipments.length}.pdf"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' })
      .send(Buffer.from(await combined.save()));
  }

  private csv(orders: OrderView[], timeZone: string): Buffer {
    const rows = orders.map((order) => COLUMNS.map((column) => (column.kind === 'time' ? shopTime(column.of(order), timeZone) : column.kind === 'text' ? csvText(column.of(order)) : column.of(order))));
    return Buffer.from(UTF8_BOM + stringify(rows, { header: true, columns: COLUMNS.map((column) => column.name) }), 'utf8');
  }

  private async xlsx(orders: OrderView[], timeZone: string): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    workbook.creator = 'OMS';
    const sheet = workbook.addWorksheet('orders', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(COLUMNS.map((column) => column.name)).font = { bold: true };
    for (const order of orders) {
      sheet.addRow(COLUMNS.map((column) => (column.kind === 'money' ? Number(column.of(order)) : column.kind === 'time' ? wallClock(shopTime(column.of(order), timeZone)) : column.of(order))));
    }
    COLUMNS.forEach((column, index) => {
      const sheetColumn = sheet.getColumn(index + 1);
      sheetColumn.width = column.kind === 'time' ? 20 : column.name === 'lines' ? 30 : 16;
      if (column.kind !== 'text') sheetColumn.eachCell((cell, row) => { if (row > 1) cell.numFmt = column.kind === 'money' ? '#,##0.00' : 'yyyy-mm-dd hh:mm:ss'; });
    });
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }
}
