import { Module } from '@nestjs/common';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { IntegrationPushesService } from './outbound/integration-pushes.service';

/**
 * Connectors themselves (issue 15 item 1): their configuration with sealed secrets, and their outbound pushes. Kept apart
 * from the webhooks (IntegrationsModule, which needs the orders) so that the areas whose changes are pushed out
 * (fulfilment, stock) can import it without a cycle.
 */
@Module({
  controllers: [IntegrationsController],
  providers: [IntegrationsService, IntegrationPushesService],
  exports: [IntegrationsService, IntegrationPushesService],
})
export class ConnectorsModule {}
