import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Acting, CurrentActing } from '../audit/acting';
import { pageWindow } from '../common/pagination';
import { RequirePermission } from './auth.decorators';
import { CreateUserDto, SetPasswordDto, UpdateUserDto, UsersQuery } from './dto/user.dto';
import { UsersService } from './users.service';

/** API.md "Users, roles and audit" (G3.3): users, with users.manage. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequirePermission('users.manage')
  async listUsers(@Query() query: UsersQuery) {
    const { page, pageSize, offset } = pageWindow(query);
    const disabled = query.disabled === undefined ? undefined : query.disabled === 'true';
    const { items, total } = await this.users.list({ q: query.q, role: query.role, disabled, offset, limit: pageSize });
    return { items, page, pageSize, total };
  }

  @Get(':id')
  @RequirePermission('users.manage')
  getUser(@Param('id') id: string) {
    return this.users.get(id);
  }

  @Post()
  @RequirePermission('users.manage')
  createUser(@Body() body: CreateUserDto, @CurrentActing() by: Acting) {
    return this.users.create(body, by);
  }

  @Patch(':id')
  @RequirePermission('users.manage')
  updateUser(@Param('id') id: string, @Body() body: UpdateUserDto, @CurrentActing() by: Acting) {
    return this.users.update(id, body, by);
  }

  /** Sets another user's password; every token and admin session of that user ends. */
  @Post(':id/password')
  @RequirePermission('users.manage')
  @HttpCode(204)
  async setPassword(@Param('id') id: string, @Body() body: SetPasswordDto, @CurrentActing() by: Acting): Promise<void> {
    await this.users.setPassword(id, body.password, by);
  }
}
