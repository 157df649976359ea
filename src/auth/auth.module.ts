import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { BearerAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DeviceCookies } from './device-cookie';
import { LoginThrottle } from './login-throttle';
import { PrincipalsService } from './principals.service';
import { RolesController } from './roles.controller';
import { RolesService } from './roles.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [AuthController, UsersController, RolesController, ApiKeysController],
  providers: [AuthService, UsersService, RolesService, ApiKeysService, LoginThrottle, DeviceCookies, PrincipalsService, { provide: APP_GUARD, useClass: BearerAuthGuard }],
  exports: [AuthService, UsersService, RolesService, ApiKeysService, PrincipalsService],
})
export class AuthModule {}
