import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import { pageWindow } from '../common/pagination';
import { NotificationQuery, PreviewTemplateDto, RevertTemplateDto, SaveTemplateDto, TestSendDto } from './dto/notification-templates.dto';
import type { Channel } from './notification-events';
import { NotificationTemplatesService, type TemplateKey } from './notification-templates.service';
import { NotificationsService } from './notifications.service';

const keyOf = (channel: string, locale: string, event: string): TemplateKey => ({ channel: channel as Channel, locale, event });
const partsOf = ({ subject, html, text }: { subject?: string; html?: string; text?: string }) =>
  Object.fromEntries(Object.entries({ subject, html, text }).filter(([, value]) => value !== undefined));

/** Issue 7: the templates admins edit (stored versions over the files) and the outbox with every attempt. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api')
export class NotificationsController {
  constructor(
    private readonly templates: NotificationTemplatesService,
    private readonly notifications: NotificationsService,
  ) {}

  @Get('notification-templates')
  @RequirePermission('settings.read')
  list() {
    return this.templates.list();
  }

  @Get('notification-templates/:channel/:locale/:event')
  @RequirePermission('settings.read')
  get(@Param('channel') channel: string, @Param('locale') locale: string, @Param('event') event: string) {
    return this.templates.get(keyOf(channel, locale, event));
  }

  /** Saves the given parts as new versions (422 with line and column when a part does not compile; nothing is saved then). */
  @Put('notification-templates/:channel/:locale/:event')
  @RequirePermission('settings.manage')
  save(@Param('channel') channel: string, @Param('locale') locale: string, @Param('event') event: string, @Body() body: SaveTemplateDto, @CurrentActing() by: Acting) {
    return this.templates.save(keyOf(channel, locale, event), partsOf(body), body.note, by);
  }

  @Post('notification-templates/:channel/:locale/:event/revert')
  @HttpCode(200)
  @RequirePermission('settings.manage')
  revert(@Param('channel') channel: string, @Param('locale') locale: string, @Param('event') event: string, @Body() body: RevertTemplateDto, @CurrentActing() by: Acting) {
    return this.templates.revert(keyOf(channel, locale, event), body.part, body.version, by);
  }

  @Post('notification-templates/:channel/:locale/:event/preview')
  @HttpCode(200)
  @RequirePermission('settings.read')
  preview(@Param('channel') channel: string, @Param('locale') locale: string, @Param('event') event: string, @Body() body: PreviewTemplateDto) {
    return this.templates.preview(keyOf(channel, locale, event), { orderId: body.orderId, parts: partsOf(body) });
  }

  /** Only to the sender's own email or the settings' test recipients (403 otherwise), 10 an hour per sender (429). */
  @Post('notification-templates/:channel/:locale/:event/test-send')
  @HttpCode(200)
  @RequirePermission('settings.manage')
  testSend(@Param('channel') channel: string, @Param('locale') locale: string, @Param('event') event: string, @Body() body: TestSendDto, @CurrentActing() acting: Acting) {
    return this.templates.testSend(keyOf(channel, locale, event), { to: body.to, orderId: body.orderId, parts: partsOf(body) }, acting.actor);
  }

  /** The outbox: `?reference=<order or case number>&status=pending,sent,dead`, each message with its attempts. */
  @Get('notifications')
  @RequirePermission('orders.read')
  async outbox(@Query() query: NotificationQuery) {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.notifications.listFor(query.reference, query.status, offset, pageSize);
    return { items, page, pageSize, total };
  }
}
