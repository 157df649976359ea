import { Module } from '@nestjs/common';
import { ConnectorsModule } from '../connectors.module';
import { StockSyncController } from './stock-sync.controller';
import { StockSyncService } from './stock-sync.service';

/** Stock sync to the shop platforms (issue 15 item 2): the senders of `stock` pushes and the on-demand resync. */
@Module({
  imports: [ConnectorsModule],
  controllers: [StockSyncController],
  providers: [StockSyncService],
})
export class StockSyncModule {}
