import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { NotFoundError } from '../common/errors';
import { type ShipmentDocument, ShipmentDocumentsService } from '../fulfillment/documents/shipment-documents.service';
import { PickListService } from '../fulfillment/pick-list.service';
import { SettingsService } from '../settings/settings.service';
import { AdminIdentity } from './admin-auth';
import { ADMIN_LANGUAGES, languageOf } from './locale';
import { PICK_LIST_PRINT_CSP, pickListPrintPage } from './pick-list-print-page';

const DOCUMENT_FILES: Record<string, ShipmentDocument> = { 'label.pdf': 'label', 'packing-slip.pdf': 'packing-slip', 'invoice.pdf': 'invoice' };

/**
 * The warehouse's printing from the admin (G1.4, G2.4): a shipment's label, packing slip and invoice, a pick list's
 * print page and its wave's labels. The API's routes need a bearer token, which a link in the admin does not send: these
 * serve the same documents to the admin session, with the API routes' permission (orders.read: the documents carry the
 * customer's name, phone and address) read again from the database. Under /admin, so the session cookie reaches them.
 */
@ApiExcludeController()
@Public()
@Controller('admin/warehouse')
export class WarehouseDocumentsController {
  constructor(
    private readonly identity: AdminIdentity,
    private readonly documents: ShipmentDocumentsService,
    private readonly pickLists: PickListService,
    private readonly settings: SettingsService,
  ) {}

  @Get('shipments/:id/:file')
  async shipmentDocument(@Param('id') id: string, @Param('file') file: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'orders.read');
    const document = Object.hasOwn(DOCUMENT_FILES, file) ? DOCUMENT_FILES[file] : undefined;
    if (!document) throw new NotFoundError('Shipment document', file);
    sendPdf(response, await this.documents.render(id, document));
  }

  @Get('pick-lists/:id/print')
  async printPickList(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const admin = await this.identity.requireSession(request, 'orders.read');
    const [pickList, settings] = await Promise.all([this.pickLists.get(id), this.settings.get()]);
    response
      .status(200)
      .type('html')
      .set({ 'Content-Security-Policy': PICK_LIST_PRINT_CSP, 'Cache-Control': 'private, no-store' })
      .send(pickListPrintPage(pickList, languageOf(admin, ADMIN_LANGUAGES[0]), settings.timeZone));
  }

  /** Every label of the wave in one PDF (one page each), in the order of the pick list's shipments. */
  @Get('pick-lists/:id/labels.pdf')
  async waveLabels(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.identity.requireSession(request, 'orders.read');
    const pickList = await this.pickLists.get(id);
    sendPdf(response, await this.documents.renderLabels(pickList.shipments.map((shipment) => shipment.id), pickList.number));
  }
}

function sendPdf(response: Response, { pdf, filename }: { pdf: Buffer; filename: string }): void {
  response
    .status(200)
    .set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${filename}"`, 'Content-Length': String(pdf.length), 'Cache-Control': 'private, no-store' })
    .end(pdf);
}
