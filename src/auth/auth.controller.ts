import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Actor, CurrentActor } from '../common/actor';
import { Public, RequirePermission } from './auth.decorators';
import { AuthService, type LoginResult } from './auth.service';
import { CreateApiKeyDto, LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResult> {
    return this.auth.login(body.email, body.password, request.ip ?? 'unknown');
  }

  /** An admin creates a key for an integration; the key is shown once. */
  @ApiBearerAuth()
  @RequirePermission('users.manage')
  @Post('api-keys')
  createApiKey(@Body() body: CreateApiKeyDto, @CurrentActor() actor: Actor) {
    return this.auth.createApiKey(body.name, body.roles, actor.name);
  }
}
