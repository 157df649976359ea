import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { TrackingModule } from '../tracking/tracking.module';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { Kuaidi100Tracks } from './kuaidi100/kuaidi100-pushes';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): their configuration and inbound webhooks. */
@Module({
  imports: [OrdersModule, TrackingModule],
  controllers: [IntegrationsController, WebhooksController],
  providers: [IntegrationsService, WebhooksService, Kuaidi100Tracks],
  exports: [IntegrationsService, Kuaidi100Tracks],
})
export class IntegrationsModule {}
