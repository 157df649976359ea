import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '../common/actor';
import { UnauthorizedError } from '../common/errors';

/** Who asks for a change and from where: what a change records in the audit log. */
export interface Acting {
  actor: Actor;
  /** The client address (behind the trusted proxy); null where none is known (workflow steps, admin screens). */
  ip: string | null;
}

/** The authenticated actor of the request with the client address. */
export const CurrentActing = createParamDecorator((_: unknown, context: ExecutionContext): Acting => {
  const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
  if (!request.actor) throw new UnauthorizedError(); // only reachable on a route wrongly marked @Public()
  return { actor: request.actor, ip: request.ip ?? null };
});
