import { Module } from '@nestjs/common';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { StockAnnouncements } from './stock-announcements';

@Module({ controllers: [InventoryController], providers: [InventoryService, StockAnnouncements], exports: [InventoryService] })
export class InventoryModule {}
