import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, pageWindow } from '../common/pagination';
import { AfterSalesService, type CaseView, MAX_ATTACHMENT_BYTES } from './after-sales.service';
import { ApproveCaseDto, CaseQuery, CaseReasonDto, CloseCaseDto, InspectCaseDto, OpenCaseDto, ReceiveCaseDto, RefundCaseDto } from './dto/after-sales.dto';

/** API.md "After-sales" (G1.6): cases are opened on an order and driven through review → receipt → QC → refund/replacement → closed. */
@ApiTags('after-sales')
@ApiBearerAuth()
@Controller('api')
export class AfterSalesController {
  constructor(private readonly cases: AfterSalesService) {}

  /** 201 with the case; 409 when the order's status allows no case of this type; 422 over the quantities left or outside the window. */
  @Post('orders/:id/after-sales')
  @RequirePermission('aftersales.write')
  open(@Param('id') orderId: string, @Body() body: OpenCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.open(orderId, body, actor);
  }

  @Get('after-sales')
  @RequirePermission('aftersales.read')
  async list(@Query() query: CaseQuery): Promise<Page<CaseView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.cases.list(query, offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get('after-sales/:id')
  @RequirePermission('aftersales.read')
  get(@Param('id') id: string): Promise<CaseView> {
    return this.cases.get(id);
  }

  @Post('after-sales/:id/approve')
  @HttpCode(200)
  @RequirePermission('aftersales.write')
  approve(@Param('id') id: string, @Body() body: ApproveCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.approve(id, body, actor);
  }

  @Post('after-sales/:id/reject')
  @HttpCode(200)
  @RequirePermission('aftersales.write')
  reject(@Param('id') id: string, @Body() body: CaseReasonDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.reject(id, body.reason.trim() || body.reason, actor);
  }

  @Post('after-sales/:id/receive')
  @HttpCode(200)
  @RequirePermission('aftersales.warehouse')
  receive(@Param('id') id: string, @Body() body: ReceiveCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.receive(id, body, actor);
  }

  @Post('after-sales/:id/inspect')
  @HttpCode(200)
  @RequirePermission('aftersales.warehouse')
  inspect(@Param('id') id: string, @Body() body: InspectCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.inspect(id, body, actor);
  }

  @Post('after-sales/:id/refund')
  @HttpCode(200)
  @RequirePermission('aftersales.refund')
  refund(@Param('id') id: string, @Body() body: RefundCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.refund(id, body, actor);
  }

  @Post('after-sales/:id/close')
  @HttpCode(200)
  @RequirePermission('aftersales.write')
  close(@Param('id') id: string, @Body() body: CloseCaseDto, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.close(id, body.note, actor);
  }

  /** Evidence: a JPEG, PNG or WebP image (checked by its bytes) of at most 5 MB, as the multipart field `file`. */
  @Post('after-sales/:id/attachments')
  @RequirePermission('aftersales.write')
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ATTACHMENT_BYTES + 1, files: 1 } }))
  attach(@Param('id') id: string, @UploadedFile() file: { originalname: string; buffer: Buffer } | undefined, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.cases.addAttachment(id, file, actor);
  }

  @Get('after-sales/:id/attachments/:attachmentId')
  @RequirePermission('aftersales.read')
  async attachment(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @Res() response: Response): Promise<void> {
    const file = await this.cases.getAttachment(id, attachmentId);
    response
      .status(200)
      .type(file.contentType)
      .set('Content-Disposition', `inline; filename="${encodeURIComponent(file.fileName)}"`)
      .set('X-Content-Type-Options', 'nosniff')
      .send(file.content);
  }
}
