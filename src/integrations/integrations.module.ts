import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { TrackingModule } from '../tracking/tracking.module';
import { ConnectorsModule } from './connectors.module';
import { IntegrationDeliveriesController } from './deliveries.controller';
import { IntegrationDeliveriesService } from './deliveries.service';
import { Kuaidi100Tracks } from './kuaidi100/kuaidi100-pushes';
import { StockSyncModule } from './stock-sync/stock-sync.module';
import { TaobaoPoller } from './taobao-poller.service';
import { ShopFulfilmentModule } from './shop-fulfilment/shop-fulfilment.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';
import { WmsModule } from './wms/wms.module';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): the connectors, inbound webhooks and polling. */
@Module({
  imports: [ConnectorsModule, OrdersModule, ShopFulfilmentModule, WmsModule, TrackingModule, StockSyncModule],
  controllers: [WebhooksController, IntegrationDeliveriesController],
  providers: [WebhooksService, TaobaoPoller, Kuaidi100Tracks, IntegrationDeliveriesService],
  exports: [ConnectorsModule, Kuaidi100Tracks, IntegrationDeliveriesService],
})
export class IntegrationsModule {}
