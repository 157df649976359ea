import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { AllocationService } from './allocation.service';

@Module({ imports: [InventoryModule], providers: [AllocationService], exports: [AllocationService] })
export class AllocationModule {}
