import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { type DataSource, In } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import { Role } from '../auth/role.entity';
import { User } from '../auth/user.entity';
import type { Actor } from '../common/actor';
import { RateLimitedError, UnauthorizedError } from '../common/errors';
import type { OmsCurrentAdmin } from './admin-access';

/**
 * Who may use the admin: the same users, passwords and login throttling as the API (AuthService), with the
 * session holding roles and permissions; actions that change data read them again (a role may have changed).
 */
export class AdminIdentity {
  private readonly logger = new Logger('AdminAuth');

  constructor(
    private readonly auth: AuthService,
    private readonly db: DataSource,
  ) {}

  /** @adminjs/express's `authenticate`: the admin to keep in the session, or null for "wrong email or password". */
  async authenticate(email: unknown, password: unknown, context?: { req?: Request }): Promise<OmsCurrentAdmin | null> {
    if (typeof email !== 'string' || typeof password !== 'string' || email.trim() === '' || password === '') return null;
    const request = context?.req;
    let userId: string;
    try {
      userId = (await this.auth.checkCredentials(email, password, clientAddress(request))).id;
    } catch (error) {
      if (error instanceof UnauthorizedError) return null;
      // the login page shows a thrown error's message
      if (error instanceof RateLimitedError) throw new Error(error.message);
      this.logger.error(`admin login failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new Error('Signing in is not possible right now; please try again later');
    }
    const admin = await this.currentAdmin(userId);
    // a new session id on login, so a session id planted before login is worth nothing after it
    if (admin && request?.session) await regenerateSession(request);
    return admin;
  }

  async currentAdmin(userId: string): Promise<OmsCurrentAdmin | null> {
    const user = await this.db.getRepository(User).findOneBy({ id: userId, active: true });
    if (!user) return null;
    return {
      id: user.id,
      email: user.email,
      title: user.displayName || user.email,
      roles: user.roles,
      permissions: await this.permissionsOf(user.roles),
    };
  }

  /** The acting user as the domain services record it, from the database (null when the account was deactivated). */
  async actorFor(admin: { id?: unknown } | undefined): Promise<Actor | null> {
    if (!admin || typeof admin.id !== 'string') return null;
    const current = await this.currentAdmin(admin.id);
    if (!current) return null;
    return { kind: 'user', id: current.id, name: current.email, roles: current.roles, permissions: new Set(current.permissions) };
  }

  async permissionsOf(roles: string[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const found = await this.db.getRepository(Role).findBy({ name: In(roles) });
    return [...new Set(found.flatMap((role) => role.permissions))].sort();
  }
}

function clientAddress(request: Request | undefined): string {
  return request?.ip ?? request?.socket?.remoteAddress ?? 'unknown';
}

function regenerateSession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}
