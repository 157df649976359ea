import { Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { AdminIdentity } from '../admin/admin-auth';
import { Public } from '../auth/auth.decorators';
import { AuthService } from '../auth/auth.service';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors';
import { bundlesBuilt, isWorkflowUiPage, type PageUser, renderNotBuilt, renderPage, WORKFLOW_UI_CSP } from './workflow-ui-pages';

/** The header the pages send with the token request; a form or link from another site cannot set it. */
export const WORKFLOW_UI_REQUEST_MARKER = 'oms-workflow-ui';
/** Page tokens are short-lived; the pages renew them on expiry or a 401. */
const PAGE_TOKEN_TTL_MINUTES = 15;
const LOGIN_PATH = '/admin/login';

/**
 * The modeler, instance and tasklist pages, for a signed-in admin session only (AdminJS's router, which runs first
 * under /admin, already sends anyone without a session to the login; the check here holds without it too).
 * The pages' scripts call the JSON API with a bearer token issued here to the session's user, so every change goes
 * through the API's own permissions and validation.
 */
@ApiExcludeController()
@Public()
@Controller('admin/workflow-ui')
export class WorkflowUiController {
  private readonly identity: AdminIdentity;

  constructor(
    private readonly auth: AuthService,
    @InjectDataSource() db: DataSource,
  ) {
    this.identity = new AdminIdentity(auth, db);
  }

  /** A short-lived API access token for the signed-in admin user. */
  @Post('token')
  @HttpCode(200)
  async token(@Req() request: Request, @Res({ passthrough: true }) response: Response, @Headers('x-requested-with') marker: string | undefined) {
    const signedIn = sessionUser(request);
    if (!signedIn) throw new UnauthorizedError('Sign in to the admin first');
    const site = request.headers['sec-fetch-site'];
    if (marker !== WORKFLOW_UI_REQUEST_MARKER || (site !== undefined && site !== 'same-origin')) {
      throw new ForbiddenError('Tokens are only handed to the workflow pages of this site');
    }
    // the account as it is now, not as it was at login
    const user = await this.identity.currentAdmin(signedIn.id);
    if (!user) throw new UnauthorizedError('Your account is no longer active');
    // stamped with the session's token version and tied to the session: it ends with the session, a password change, ...
    const tokenVersion = (request.session as { oms?: { tokenVersion?: number } }).oms?.tokenVersion;
    const { token, expiresAt } = await this.auth.issueAccessToken(user.id, { ttlMinutes: PAGE_TOKEN_TTL_MINUTES, tokenVersion, adminSessionId: request.sessionID });
    response.setHeader('Cache-Control', 'no-store');
    return { accessToken: token, expiresAt: expiresAt.toISOString(), user: { id: user.id, email: user.email, roles: user.roles } };
  }

  @Get(':page')
  page(@Param('page') page: string, @Req() request: Request, @Res() response: Response): void {
    const user = sessionUser(request);
    if (!user) return response.redirect(302, LOGIN_PATH);
    if (!isWorkflowUiPage(page)) throw new NotFoundError('Page', page);
    const built = bundlesBuilt(page);
    response
      .status(built ? 200 : 503)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': WORKFLOW_UI_CSP, 'X-Content-Type-Options': 'nosniff' })
      .send(built ? renderPage(page, user) : renderNotBuilt(page));
  }
}

/** The admin user the session holds (put there by AdminJS's login, see admin-auth.ts). */
function sessionUser(request: Request): PageUser | null {
  const admin = (request.session as { adminUser?: { id?: unknown; email?: unknown; title?: unknown; locale?: unknown; timeZone?: unknown } } | undefined)?.adminUser;
  if (!admin || typeof admin.id !== 'string' || typeof admin.email !== 'string') return null;
  // the session store refreshes the user's locale on every request (issue 14): the pages speak the admin's language
  const locale = admin.locale === 'en' ? 'en' : 'zh-CN';
  const timeZone = typeof admin.timeZone === 'string' ? admin.timeZone : undefined;
  return { id: admin.id, email: admin.email, title: typeof admin.title === 'string' && admin.title ? admin.title : admin.email, locale, timeZone };
}
