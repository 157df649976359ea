import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { RequirePermission } from '../auth/auth.decorators';
import type { Settings } from './settings.schema';
import { SettingsService } from './settings.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @RequirePermission('settings.read')
  get(): Promise<Settings> {
    return this.settings.get();
  }

  /** Partial updates: nested objects merge, lists and values replace; the result must be valid as a whole. */
  @Put()
  @RequirePermission('settings.manage')
  update(@Body() body: unknown, @CurrentActing() by: Acting): Promise<Settings> {
    return this.settings.update(body, by);
  }
}
