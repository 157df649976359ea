import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { CreatePickListDto } from './dto/pick-list.dto';
import { PickListService, type PickListView } from './pick-list.service';

@ApiTags('warehouse and shipping')
@ApiBearerAuth()
@Controller('api/pick-lists')
export class PickListsController {
  constructor(private readonly pickLists: PickListService) {}

  /** 201 with a wave of the warehouse's allocated shipments (now `picking`); 409 invalid_state when none is waiting. */
  @Post()
  @RequirePermission('shipments.write')
  create(@Body() body: CreatePickListDto, @CurrentActor() actor: Actor): Promise<PickListView> {
    return this.pickLists.create(body.warehouse, body.maxShipments, actor.name);
  }

  @Get(':id')
  @RequirePermission('orders.read')
  get(@Param('id') id: string): Promise<PickListView> {
    return this.pickLists.get(id);
  }

  /** Pick confirmation (G1.4): the wave is at the packing bench. */
  @Post(':id/confirm')
  @HttpCode(200)
  @RequirePermission('shipments.write')
  confirm(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<PickListView> {
    return this.pickLists.confirm(id, actor.name);
  }
}
