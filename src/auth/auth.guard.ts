import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor } from '../common/actor';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { ANY_SIGNED_IN, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators';
import { AuthService } from './auth.service';
import { allows } from './permissions';

/** Every route needs a bearer token unless marked @Public(), and a permission unless marked @AnySignedIn(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new UnauthorizedError();
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
}
