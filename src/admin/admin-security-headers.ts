import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * What anything under /admin that is not an AdminJS page answers with (JSON, bundles, evidence images): nothing may
 * run, load or frame it. The workflow pages set their own policy (WORKFLOW_UI_CSP), which this leaves alone.
 */
export const ADMIN_RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * How many inline scripts AdminJS's page templates write: the layout two (its Redux state, the start), the login page
 * three (state, the login's own state, the start). A page with more has had one injected, and then none is allowed.
 * Which template a page is comes from the route, never from the page's content.
 */
const inlineScriptsOfTemplate = (path: string) => (/^\/login\/?$/.test(path) ? 3 : 2);

/** `<script ...>content</script`: the inline ones are those without src. Ends at the first `</script`, as a browser does. */
const SCRIPT_ELEMENT = /<script(\s[^>]*)?>([\s\S]*?)<\/script/gi;

const logger = new Logger('AdminHeaders');

/** 'sha256-…' of each inline script of an AdminJS page, or none when the page has other than its template writes. */
export function inlineScriptHashes(html: string, path: string): string[] {
  const inline = [...html.matchAll(SCRIPT_ELEMENT)].filter(([, attributes]) => !/\ssrc\s*=/i.test(attributes ?? '')).map(([, , content]) => content);
  const expected = inlineScriptsOfTemplate(path);
  if (inline.length !== expected) {
    logger.warn(`the admin page ${path} had ${inline.length} inline scripts where AdminJS writes ${expected}; none allowed (injected markup?)`);
    return [];
  }
  return inline.map((content) => `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`);
}

/**
 * The policy of an AdminJS page. Scripts: this origin's bundles and, by hash, the page's own inline scripts (its
 * state), never other inline code or eval. What had to stay allowed, and why:
 * - style-src 'unsafe-inline': AdminJS's design system (styled-components) writes <style> elements at run time and its
 *   widgets set style attributes; a nonce cannot reach them. CSS cannot run script under this script-src.
 * - font-src data:: fonts inlined by the design system's styles. The fonts themselves come from this origin
 *   (admin-fonts.ts): no page loads anything from another host.
 * - img-src data: blob:: AdminJS's icons and the case evidence previews.
 */
export function adminPageCsp(scriptHashes: string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const looksLikeHtmlPage = (body: string) => /^\s*<!doctype html/i.test(body);

/**
 * Security headers for everything under /admin, as /returns sends them (customer-page.ts): never framed, no MIME
 * sniffing, no admin address leaving as a referrer, HSTS when the request came over TLS (directly or through the
 * trusted proxy). An AdminJS page gets its policy when it is sent, since its inline scripts' hashes depend on it.
 */
export function adminSecurityHeaders(request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Content-Security-Policy', ADMIN_RESOURCE_CSP);
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  if (request.secure) response.setHeader('Strict-Transport-Security', 'max-age=31536000');
  // the path under /admin as this middleware sees it (routers further on rewrite request.url)
  const path = request.path;
  const send = response.send.bind(response);
  response.send = ((body?: unknown) => {
    const type = response.getHeader('Content-Type');
    const html = type === undefined || /html/i.test(String(type));
    // a handler that set its own policy (the workflow pages) keeps it
    const ours = response.getHeader('Content-Security-Policy') === ADMIN_RESOURCE_CSP;
    if (ours && html && typeof body === 'string' && looksLikeHtmlPage(body)) response.setHeader('Content-Security-Policy', adminPageCsp(inlineScriptHashes(body, path)));
    return send(body);
  }) as Response['send'];
  next();
}
