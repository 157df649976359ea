import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ConnectorsModule } from './connectors.module';
import { IntegrationDeliveriesController } from './deliveries.controller';
import { IntegrationDeliveriesService } from './deliveries.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): the connectors and their inbound webhooks. */
@Module({
  imports: [ConnectorsModule, OrdersModule],
  controllers: [WebhooksController, IntegrationDeliveriesController],
  providers: [WebhooksService, IntegrationDeliveriesService],
  exports: [ConnectorsModule, IntegrationDeliveriesService],
})
export class IntegrationsModule {}
