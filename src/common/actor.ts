import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { UnauthorizedError } from './errors';

/** Who is acting: a signed-in user, an integration's API key, or the system itself (workflow steps). */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string;
  /** What history rows record as "by". */
  name: string;
  roles: string[];
  permissions: ReadonlySet<string>;
}

/** An actor as stored with what it did (an instance's starter, a task's completer); its permissions are looked up when needed. */
export type PrincipalRef = Pick<Actor, 'kind' | 'id' | 'name'>;

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'system', roles: [], permissions: new Set(['*']) };

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new UnauthorizedError(); // only reachable on a route wrongly marked @Public()
  return actor;
});
