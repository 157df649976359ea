import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type DataSource, In } from 'typeorm';
import { AuthService, type SignedIn } from '../auth/auth.service';
import { DEVICE_COOKIE, deviceCookieOf, deviceCookieOptions } from '../auth/device-cookie';
import { Role } from '../auth/role.entity';
import { User } from '../auth/user.entity';
import type { Actor } from '../common/actor';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../common/errors';
import { can, type OmsCurrentAdmin } from './admin-access';
import type { SignInStamp } from './admin-session-policy';

/**
 * Who may use the admin: the same users, passwords and login throttling as the API (AuthService). The session is
 * stamped with the user's token version; AdminSessionStore checks it and refreshes roles and permissions on every request.
 */
export class AdminIdentity {
  private readonly logger = new Logger('AdminAuth');

  constructor(
    private readonly auth: AuthService,
    private readonly db: DataSource,
  ) {}

  /**
   * @adminjs/express's `authenticate`: the admin to keep in the session, or null for "wrong email or password". The
   * password is passed on exactly as typed, as the API's login does; the browser gets the same device cookie.
   */
  async authenticate(email: unknown, password: unknown, context?: { req?: Request; res?: Response }): Promise<OmsCurrentAdmin | null> {
    if (typeof email !== 'string' || typeof password !== 'string' || email.trim() === '' || password === '') return null;
    const request = context?.req;
    let signedIn: SignedIn;
    try {
      signedIn = await this.auth.checkCredentials(email, password, {
        ip: clientAddress(request),
        deviceCookie: request ? deviceCookieOf(request) : undefined,
        channel: 'admin',
      });
    } catch (error) {
      if (error instanceof UnauthorizedError) return null;
      // the login page shows a thrown error's message
      if (error instanceof RateLimitedError) throw new Error(error.message);
      this.logger.error(`admin login failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new Error('Signing in is not possible right now; please try again later');
    }
    if (request && context?.res) context.res.cookie(DEVICE_COOKIE, signedIn.deviceCookie, deviceCookieOptions(request));
    const admin = await this.currentAdmin(signedIn.user.id);
    if (admin && request?.session) {
      // a new session id on login, so a session id planted before login is worth nothing after it
      await regenerateSession(request);
      const now = Date.now();
      const stamp: SignInStamp = { userId: admin.id, tokenVersion: signedIn.user.tokenVersion, signedInAt: now, lastSeenAt: now };
      (request.session as { oms?: SignInStamp }).oms = stamp;
    }
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
      locale: user.locale,
    };
  }

  /**
   * For the admin's own routes outside AdminJS (a link opens them, which sends no bearer token): the admin session's user,
   * read again from the database, holding `permission` (401 without a session or an active account, 403 without it).
   */
  async requireSession(request: Request, permission: string): Promise<OmsCurrentAdmin> {
    const userId = (request.session as { adminUser?: { id?: unknown } } | undefined)?.adminUser?.id;
    if (typeof userId !== 'string') throw new UnauthorizedError('Sign in to the admin first');
    const admin = await this.currentAdmin(userId);
    if (!admin) throw new UnauthorizedError('Your account is no longer active');
    if (!can(admin, permission)) throw new ForbiddenError();
    return admin;
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
