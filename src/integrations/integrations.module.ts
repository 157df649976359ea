import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { IntegrationDeliveriesService } from './deliveries.service';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Connectors to shop platforms, payment, carriers and WMS (G5.2, issue 15): their configuration and inbound webhooks. */
@Module({
  imports: [OrdersModule],
  controllers: [IntegrationsController, WebhooksController],
  providers: [IntegrationsService, WebhooksService, IntegrationDeliveriesService],
  exports: [IntegrationsService, IntegrationDeliveriesService],
})
export class IntegrationsModule {}
