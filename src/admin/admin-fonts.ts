import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { NotFoundError } from '../common/errors';

/**
 * Issue 14 item 2: the admin's fonts come from the product, never from fonts.googleapis.com (blocked in mainland China,
 * and no admin page may need the internet). AdminJS's page templates link Google's Roboto stylesheet; serveLocalFonts
 * points that link here. Public (the login page needs them), under /admin-fonts because everything under /admin but the
 * login wants a session.
 */
export const ADMIN_FONTS_PATH = '/admin-fonts';
export const ADMIN_FONTS_CSS = `${ADMIN_FONTS_PATH}/fonts.css`;

/** The font packages (SIL OFL 1.1) and which of their stylesheets are used: Roboto's weights AdminJS asks Google for; Noto Sans SC variable (all weights, in unicode-range slices a page loads only as its text needs them). */
const FAMILIES: Record<string, { pkg: string; stylesheets: string[] }> = {
  roboto: { pkg: '@fontsource/roboto', stylesheets: ['300.css', '400.css', '500.css', '700.css'] },
  'noto-sans-sc': { pkg: '@fontsource-variable/noto-sans-sc', stylesheets: ['wght.css'] },
};

const packageDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
const FONT_FILE = /^[a-z0-9-]+\.woff2?$/;
const WEEK_SECONDS = 7 * 24 * 3600;

let stylesheet: string | undefined;

/** The packages' @font-face rules with their files served from ADMIN_FONTS_PATH. */
export function adminFontsStylesheet(): string {
  stylesheet ??= Object.entries(FAMILIES)
    .flatMap(([family, { pkg, stylesheets }]) =>
      stylesheets.map((file) => readFileSync(join(packageDir(pkg), file), 'utf8').replace(/url\(\.\/files\/([^)]+)\)/g, `url(${ADMIN_FONTS_PATH}/${family}/$1)`)),
    )
    .join('\n');
  return stylesheet;
}

/** `<link ... href="https://fonts.googleapis.com/...">` as AdminJS's layout and login templates write it. */
const GOOGLE_FONTS_LINK = /<link\b[^>]*\bhref="https:\/\/fonts\.googleapis\.com\/[^"]*"[^>]*>/gi;

/** An AdminJS page with its Google Fonts link pointing to our stylesheet instead. */
export const withLocalFonts = (html: string) => html.replace(GOOGLE_FONTS_LINK, `<link rel="stylesheet" href="${ADMIN_FONTS_CSS}" type="text/css">`);

/** Express middleware for /admin: HTML pages AdminJS sends get the local fonts (see withLocalFonts). */
export function serveLocalFonts(_request: Request, response: Response, next: NextFunction): void {
  const send = response.send.bind(response);
  response.send = ((body?: unknown) => send(typeof body === 'string' && /^\s*<!doctype html/i.test(body) ? withLocalFonts(body) : body)) as Response['send'];
  next();
}

@ApiExcludeController()
@Public()
@Controller(ADMIN_FONTS_PATH.slice(1))
export class AdminFontsController {
  @Get('fonts.css')
  css(@Res() response: Response): void {
    response.status(200).set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': `public, max-age=${WEEK_SECONDS}`, 'X-Content-Type-Options': 'nosniff' }).send(adminFontsStylesheet());
  }

  @Get(':family/:file')
  font(@Param('family') family: string, @Param('file') file: string, @Res() response: Response): void {
    const source = Object.hasOwn(FAMILIES, family) ? FAMILIES[family] : undefined;
    if (!source || !FONT_FILE.test(file)) throw new NotFoundError('Font', `${family}/${file}`);
    response.sendFile(
      file,
      { root: join(packageDir(source.pkg), 'files'), dotfiles: 'deny', maxAge: WEEK_SECONDS * 1000, headers: { 'X-Content-Type-Options': 'nosniff' } },
      (error?: Error & { status?: number }) => {
        if (!error || response.headersSent) return;
        const missing = error.status === 404 || error.status === 403;
        response.status(missing ? 404 : 500).json({ error: { code: missing ? 'not_found' : 'internal_error', message: `Font ${family}/${file} was not found` } });
      },
    );
  }
}
