import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { TaobaoPoller } from './taobao-poller.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): their configuration, inbound webhooks and polling. */
@Module({
  imports: [OrdersModule],
  controllers: [IntegrationsController, WebhooksController],
  providers: [IntegrationsService, WebhooksService, TaobaoPoller],
  exports: [IntegrationsService],
})
export class IntegrationsModule {}
