import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ConnectorsModule } from './connectors.module';
import { StockSyncModule } from './stock-sync/stock-sync.module';
import { TaobaoPoller } from './taobao-poller.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): the connectors, inbound webhooks and polling. */
@Module({
  imports: [ConnectorsModule, OrdersModule, StockSyncModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, TaobaoPoller],
  exports: [ConnectorsModule],
})
export class IntegrationsModule {}
