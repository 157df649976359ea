import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, pageWindow } from '../common/pagination';
import { AssignExceptionDto, ContactNotedDto, ExceptionQueueQuery, RestockDateDto } from './dto/exception-queues.dto';
import { type ExceptionItemView, type ExceptionQueueCount, ExceptionQueuesService } from './exception-queues.service';

/**
 * G2.6 exception work queues (README "API extensions"): payment, address, stock and logistics, each a paged list with owner,
 * age and SLA due time; ownership, "contact noted", payment requests and restock dates. The actions that resolve an item are
 * the existing routes (PATCH /api/orders/{id}, payments, allocation, cancel, approve, POST /api/logistics-alerts/{id}/resolve).
 */
@ApiTags('exception-queues')
@ApiBearerAuth()
@Controller('api/exception-queues')
export class ExceptionQueuesController {
  constructor(private readonly queues: ExceptionQueuesService) {}

  @Get()
  @RequirePermission('orders.read')
  async counts(): Promise<{ queues: ExceptionQueueCount[] }> {
    return { queues: await this.queues.counts() };
  }

  @Get(':kind')
  @RequirePermission('orders.read')
  async list(@Param('kind') kind: string, @Query() query: ExceptionQueueQuery, @CurrentActor() actor: Actor): Promise<Page<ExceptionItemView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.queues.list(kind, { owner: query.owner, reason: query.reason }, offset, pageSize, actor);
    return { items, page, pageSize, total };
  }

  @Get(':kind/:ref')
  @RequirePermission('orders.read')
  item(@Param('kind') kind: string, @Param('ref') ref: string): Promise<ExceptionItemView> {
    return this.queues.item(kind, ref);
  }

  /** 认领: the caller becomes the owner; 409 when someone else owns it. */
  @Post(':kind/:ref/claim')
  @HttpCode(200)
  @RequirePermission('orders.write')
  claim(@Param('kind') kind: string, @Param('ref') ref: string, @CurrentActor() actor: Actor): Promise<ExceptionItemView> {
    return this.queues.claim(kind, ref, actor);
  }

  /** 分配: gives the item to a user who may work orders, or to nobody (`owner: null`). */
  @Post(':kind/:ref/assign')
  @HttpCode(200)
  @RequirePermission('orders.write')
  assign(@Param('kind') kind: string, @Param('ref') ref: string, @Body() body: AssignExceptionDto, @CurrentActor() actor: Actor): Promise<ExceptionItemView> {
    return this.queues.assign(kind, ref, body.owner, actor);
  }

  /** "Contact noted": who was contacted how, and what came of it. */
  @Post(':kind/:ref/contacts')
  @HttpCode(200)
  @RequirePermission('orders.write')
  contact(@Param('kind') kind: string, @Param('ref') ref: string, @Body() body: ContactNotedDto, @CurrentActor() actor: Actor): Promise<ExceptionItemView> {
    return this.queues.noteContact(kind, ref, { channel: body.channel, note: body.note.trim() }, actor);
  }

  /** Payment queue: send the customer a payment request again (email / SMS as the settings' `payment-reminder` event says). */
  @Post('payment/:ref/payment-request')
  @HttpCode(200)
  @RequirePermission('orders.write')
  paymentRequest(@Param('ref') ref: string, @CurrentActor() actor: Actor): Promise<ExceptionItemView> {
    return this.queues.requestPayment(ref, actor);
  }

  /** Stock queue: when the missing goods are expected (null: not known). */
  @Post('stock/:ref/restock-date')
  @HttpCode(200)
  @RequirePermission('orders.write')
  restockDate(@Param('ref') ref: string, @Body() body: RestockDateDto, @CurrentActor() actor: Actor): Promise<ExceptionItemView> {
    return this.queues.setRestockDate(ref, body.date, actor);
  }
}
