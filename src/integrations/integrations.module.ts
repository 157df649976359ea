import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ConnectorsModule } from './connectors.module';
import { TaobaoPoller } from './taobao-poller.service';
import { ShopFulfilmentModule } from './shop-fulfilment/shop-fulfilment.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';
import { WmsModule } from './wms/wms.module';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): the connectors, inbound webhooks and polling. */
@Module({
  imports: [ConnectorsModule, OrdersModule, ShopFulfilmentModule, WmsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, TaobaoPoller],
  exports: [ConnectorsModule],
})
export class IntegrationsModule {}
