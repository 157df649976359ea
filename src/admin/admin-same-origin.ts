import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../common/errors';

/** Methods that never change anything in the admin (AdminJS's direct buttons aside: see READS_THAT_ACT). */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * GETs under /admin that act: AdminJS's API (its direct buttons — approve, confirm receipt, resolve — and delete's
 * confirmation call record actions with GET) and signing out. Paths are relative to /admin.
 */
const READS_THAT_ACT = [/^\/api\//, /^\/logout\/?$/];

/**
 * The origin the request was addressed to, as the browser saw it: scheme and host[:port] (behind the trusted proxy,
 * the forwarded ones; see `trust proxy` in app.ts).
 */
function ownOrigin(request: Request): string {
  return `${request.protocol}://${request.host}`;
}

/** Where a browser says the request comes from: Origin, else the origin of Referer; undefined when neither is sent. */
function senderOrigin(request: Request): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string' || referer === '') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

const SITES: Record<string, string> = {
  'same-site': 'another origin of this site (another port or subdomain)',
  'cross-site': 'another site',
  none: 'outside any page (typed or bookmarked)',
};

/**
 * Why the request must be refused as a forged cross-origin request (CSRF), or undefined when it may go on.
 * - A change (POST and the like) must come from an admin page of this origin: a browser's Sec-Fetch-Site must say
 *   `same-origin`; a browser without fetch metadata must send an Origin (or a Referer) equal to this origin. The
 *   admin cookie is SameSite=Lax, which a page on another port of the same host (same site) still gets sent with.
 * - A GET that acts (READS_THAT_ACT) is refused when a browser says another site or origin sent it.
 * A request with none of these headers does not come from a browser, so not with a victim's cookie.
 */
export function forgedRequestReason(request: Request, path: string): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (READS.has(request.method)) {
    if (!READS_THAT_ACT.some((pattern) => pattern.test(path))) return undefined;
    return site === 'same-site' || site === 'cross-site' ? `the request was sent from ${SITES[site]}` : undefined;
  }
  if (typeof site === 'string') return site === 'same-origin' ? undefined : `the request was sent from ${SITES[site] ?? `"${site}"`}`;
  const sender = senderOrigin(request);
  if (sender === undefined) return undefined;
  const own = ownOrigin(request);
  return sender === own ? undefined : `the request was sent from ${sender === 'null' ? 'a hidden origin' : sender}, not ${own}`;
}

/**
 * Express middleware for everything under /admin (AdminJS, its login form, the workflow pages' endpoints, the case
 * evidence): a forged request answers 403 before any router sees it, so nothing changes.
 */
export function refuseForgedAdminRequests(request: Request, _response: Response, next: NextFunction): void {
  const reason = forgedRequestReason(request, request.path);
  if (!reason) return next();
  next(new ForbiddenError(`Refused: ${reason}. Changes in the admin are only accepted from the admin's own pages; open the admin and do it there.`));
}
