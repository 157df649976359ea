import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { ValidationError } from '../common/errors';
import { RequirePermission } from './auth.decorators';
import { RoleDto } from './dto/role.dto';
import { PERMISSION_CATALOGUE } from './permission-catalogue';
import { RolesService } from './roles.service';

/** API.md "Users, roles and audit" (G3.3): permissions and roles, with users.manage. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  /** Every permission a role can hold, with what it allows and its area (the role editor's groups). */
  @Get('permissions')
  @RequirePermission('users.manage')
  permissions() {
    return PERMISSION_CATALOGUE;
  }

  @Get('roles')
  @RequirePermission('users.manage')
  listRoles() {
    return this.roles.list();
  }

  @Post('roles')
  @RequirePermission('users.manage')
  createRole(@Body() body: RoleDto, @CurrentActing() by: Acting) {
    return this.roles.create(body.name, body, by);
  }

  @Put('roles/:name')
  @RequirePermission('users.manage')
  updateRole(@Param('name') name: string, @Body() body: RoleDto, @CurrentActing() by: Acting) {
    if (body.name !== name) throw ValidationError.of('name', `must be the role's name (${name}): roles are not renamed`);
    return this.roles.update(name, body, by);
  }

  @Delete('roles/:name')
  @RequirePermission('users.manage')
  @HttpCode(204)
  async deleteRole(@Param('name') name: string, @CurrentActing() by: Acting): Promise<void> {
    await this.roles.remove(name, by);
  }
}
