import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { TrackingModule } from '../tracking/tracking.module';
import { ConnectorsModule } from './connectors.module';
import { Kuaidi100Tracks } from './kuaidi100/kuaidi100-pushes';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): the connectors and their inbound webhooks. */
@Module({
  imports: [ConnectorsModule, OrdersModule, TrackingModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, Kuaidi100Tracks],
  exports: [ConnectorsModule, Kuaidi100Tracks],
})
export class IntegrationsModule {}
