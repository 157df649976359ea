import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, pageWindow } from '../common/pagination';
import { CreateWarehouseDto, InventoryQuery, SetStockLevelDto, StockAdjustmentDto } from './dto/inventory.dto';
import { InventoryService, type StockLevelView, type WarehouseView } from './inventory.service';
import { unknownNamedInBody } from './inventory.errors';

@ApiTags('catalogue and stock')
@ApiBearerAuth()
@Controller('api')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Post('warehouses')
  @RequirePermission('inventory.write')
  createWarehouse(@Body() body: CreateWarehouseDto): Promise<WarehouseView> {
    return this.inventory.createWarehouse(body);
  }

  @Get('warehouses')
  @RequirePermission('inventory.read')
  async listWarehouses(): Promise<Page<WarehouseView>> {
    const items = await this.inventory.listWarehouses();
    return { items, page: 1, pageSize: items.length, total: items.length };
  }

  @Put('inventory/:warehouse/:sku')
  @RequirePermission('inventory.write')
  setLevel(@Param('warehouse') warehouse: string, @Param('sku') sku: string, @Body() body: SetStockLevelDto, @CurrentActor() actor: Actor): Promise<StockLevelView> {
    return this.inventory.setLevel(warehouse, sku, body.onHand, body.bin, actor.name);
  }

  /** Answers with the level like PUT does (API.md: "→ the level"; 201 is only for what a POST creates). */
  @Post('inventory/adjustments')
  @HttpCode(200)
  @RequirePermission('inventory.write')
  async adjust(@Body() body: StockAdjustmentDto, @CurrentActor() actor: Actor): Promise<StockLevelView> {
    try {
      return await this.inventory.adjust(body.warehouse, body.sku, body.delta, body.reason, actor.name);
    } catch (error) {
      throw unknownNamedInBody(error);
    }
  }

  @Get('inventory')
  @RequirePermission('inventory.read')
  async list(@Query() query: InventoryQuery): Promise<Page<StockLevelView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.inventory.listLevels(query, offset, pageSize);
    return { items, page, pageSize, total };
  }
}
