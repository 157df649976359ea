import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '../common/actor';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ANY_SIGNED_IN, PUBLIC_ROUTE, REQUIRED_PERMISSION, STATIC_TOKEN, type StaticTokenSetting } from './auth.decorators';
import { AuthService } from './auth.service';
import { allows } from './permissions';

/** Every route needs a bearer token unless marked @Public(), and a permission unless marked @AnySignedIn(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new UnauthorizedError();
    if (this.isStaticToken(token.trim(), this.reflector.getAllAndOverride<StaticTokenSetting | undefined>(STATIC_TOKEN, targets))) return true;
    const actor = await this.auth.authenticate(token.trim());
    if (!actor) throw new UnauthorizedError('The bearer token is unknown or has expired');
    request.actor = actor;

    const required = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_PERMISSION, targets);
    if (required === undefined) {
      // fail closed: a route that forgot to say what it needs is nobody's (the route × role test names it)
      if (this.reflector.getAllAndOverride<boolean>(ANY_SIGNED_IN, targets)) return true;
      throw new ForbiddenError('This route declares no permission, so nobody may use it');
    }
    if (!allows(actor.permissions, required)) {
      throw new ForbiddenError(`Your role (${actor.roles.join(', ') || 'none'}) does not allow ${required}`);
    }
    return true;
  }

  /** The route's static token, when it has one and it is set; hashed first so that the comparison does not leak its length. */
  private isStaticToken(token: string, setting: StaticTokenSetting | undefined): boolean {
    const expected = setting ? this.config[setting] : undefined;
    if (!expected) return false;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(token), digest(expected));
  }
}
