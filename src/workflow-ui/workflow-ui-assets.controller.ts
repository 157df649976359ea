import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { NotFoundError } from '../common/errors';
import { isWorkflowUiPage, WORKFLOW_UI_ASSETS_DIR, WORKFLOW_UI_PAGES_PATH } from './workflow-ui-pages';

const ASSET_PATH = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The built bundles (public: code and styles only, no data) and short links to the pages. */
@ApiExcludeController()
@Public()
@Controller('workflow-ui')
export class WorkflowUiAssetsController {
  @Get('assets/*path')
  asset(@Param('path') path: string | string[], @Res() response: Response): void {
    const relative = Array.isArray(path) ? path.join('/') : path;
    if (!ASSET_PATH.test(relative)) throw new NotFoundError('Asset', relative);
    // fonts carry a content hash in their name; the bundles keep their names and are revalidated (ETag)
    const hashed = relative.startsWith('fonts/');
    response.sendFile(
      relative,
      { root: WORKFLOW_UI_ASSETS_DIR, dotfiles: 'deny', maxAge: hashed ? YEAR_MS : 0, immutable: hashed, headers: { 'X-Content-Type-Options': 'nosniff' } },
      (error?: Error & { status?: number }) => {
        if (!error || response.headersSent) return;
        response.status(error.status === 404 || error.status === 403 ? 404 : 500).json({
          error: { code: error.status === 404 || error.status === 403 ? 'not_found' : 'internal_error', message: `Asset ${relative} was not found` },
        });
      },
    );
  }

  /** `/workflow-ui/modeler?key=x` → `/admin/workflow-ui/modeler?key=x`, where the admin session reaches. */
  @Get(':page')
  shortLink(@Param('page') page: string, @Req() request: Request, @Res() response: Response): void {
    if (!isWorkflowUiPage(page)) throw new NotFoundError('Page', page);
    const query = request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?')) : '';
    response.redirect(302, `${WORKFLOW_UI_PAGES_PATH}/${page}${query}`);
  }
}
