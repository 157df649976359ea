import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Acting, CurrentActing } from '../audit/acting';
import { type Actor, CurrentActor } from '../common/actor';
import { ForbiddenError } from '../common/errors';
import { AnySignedIn, Public } from './auth.decorators';
import { AuthService, type LoginResult, type MeView } from './auth.service';
import { DEVICE_COOKIE, deviceCookieOf, deviceCookieOptions } from './device-cookie';
import { ChangePasswordDto, LoginDto } from './dto/login.dto';
import { UsersService } from './users.service';

const bearerOf = (request: Request) => (request.headers.authorization ?? '').split(' ')[1]?.trim() ?? '';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  /** Also sets the device cookie that lets this browser past the throttling others cause on the account. */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginResult> {
    const { deviceCookie, ...result } = await this.auth.login(body.email, body.password, { ip: request.ip ?? 'unknown', deviceCookie: deviceCookieOf(request), channel: 'api' });
    response.cookie(DEVICE_COOKIE, deviceCookie, deviceCookieOptions(request));
    return result;
  }

  @ApiBearerAuth()
  @AnySignedIn()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: Request, @CurrentActing() by: Acting): Promise<void> {
    await this.auth.logout(bearerOf(request), by);
  }

  @ApiBearerAuth()
  @AnySignedIn()
  @Get('me')
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.auth.me(actor);
  }

  /**
   * An extension of API.md: a user changes their own password with the current one. Every token and admin session of
   * the user ends; the answer carries a new access token (like a login).
   */
  @ApiBearerAuth()
  @AnySignedIn()
  @Post('password')
  @HttpCode(200)
  async changePassword(@Body() body: ChangePasswordDto, @CurrentActing() by: Acting): Promise<LoginResult> {
    if (by.actor.kind !== 'user') throw new ForbiddenError('Only a user has a password; an API key is replaced, not changed');
    await this.users.changeOwnPassword(by.actor.id, body.currentPassword, body.newPassword, by);
    const { token, expiresAt } = await this.auth.issueAccessToken(by.actor.id);
    const user = await this.users.get(by.actor.id);
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: { id: user.id, email: user.email, roles: user.roles } };
  }
}
