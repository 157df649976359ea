import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/auth.decorators';
import { UsersService } from '../auth/users.service';
import { UnauthorizedError, ValidationError } from '../common/errors';
import { AdminIdentity } from './admin-auth';
import { ADMIN_LANGUAGES, isAdminLanguage } from './locale';

/**
 * Issue 14: the user menu's language switch saves the signed-in user's locale (what GET /api/auth/me and PATCH
 * /api/users/{id} call `locale`); the page then reloads in it. Any signed-in user changes their own; the admin session
 * authenticates (a bearer token is not sent by the admin's pages) and the forged-request check of /admin applies.
 */
@ApiExcludeController()
@Public()
@Controller('admin/account')
export class AdminLocaleController {
  constructor(
    private readonly identity: AdminIdentity,
    private readonly users: UsersService,
  ) {}

  @Post('locale')
  @HttpCode(200)
  async setLocale(@Body() body: unknown, @Req() request: Request): Promise<{ locale: string }> {
    // AdminJS's router (express-formidable) reads every body under /admin first: the JSON is in `fields` there
    const payload = (request as Request & { fields?: unknown }).fields ?? body;
    const locale = (payload as { locale?: unknown } | undefined)?.locale;
    if (!isAdminLanguage(locale)) throw ValidationError.of('locale', `must be one of ${ADMIN_LANGUAGES.join(', ')}`);
    const userId = (request.session as { adminUser?: { id?: unknown } } | undefined)?.adminUser?.id;
    const actor = await this.identity.actorFor({ id: userId });
    if (!actor) throw new UnauthorizedError('Sign in to the admin first');
    await this.users.setOwnLocale(actor.id, locale, { actor, ip: request.ip ?? null });
    return { locale };
  }
}
