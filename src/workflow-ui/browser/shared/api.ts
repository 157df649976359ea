/**
 * The JSON API as the pages use it: every call carries a bearer token, so the pages go through the same
 * routes, permissions and validation as any integration. The token comes from the admin session
 * (POST /admin/workflow-ui/token) and is kept in sessionStorage until shortly before it expires.
 */
import { currentUser } from './page';

export const TOKEN_URL = '/admin/workflow-ui/token';
export const LOGIN_URL = '/admin/login';
/** A header a cross-site form or link cannot send: the token endpoint requires it. */
const UI_HEADER = { 'X-Requested-With': 'oms-workflow-ui' };
const RENEW_BEFORE_MS = 60_000;

export interface ProblemDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
  }

  /** The route is not there (yet): a 404/405 that is not one of the API's own `not_found` answers about a record. */
  get routeMissing(): boolean {
    return this.status === 405 || this.status === 501 || (this.status === 404 && /^Cannot (GET|PUT|POST|DELETE)/.test(this.message));
  }
}

interface StoredToken {
  token: string;
  expiresAt: string;
}

let memoryToken: StoredToken | undefined;

const storageKey = () => `oms-workflow-ui-token:${currentUser().id}`;

function usable(stored: StoredToken | undefined): stored is StoredToken {
  return !!stored && Date.parse(stored.expiresAt) - Date.now() > RENEW_BEFORE_MS;
}

function readStored(): StoredToken | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(storageKey()) ?? 'null') as StoredToken | null;
    return parsed ?? undefined;
  } catch {
    return undefined;
  }
}

/** Sends the browser to the admin login when the admin session has ended. */
function sessionEnded(): never {
  window.location.assign(LOGIN_URL);
  throw new ApiError(401, 'unauthorized', 'Your admin session has ended; sign in again');
}

async function accessToken(renew = false): Promise<string> {
  if (!renew) {
    if (usable(memoryToken)) return memoryToken.token;
    const stored = readStored();
    if (usable(stored)) {
      memoryToken = stored;
      return stored.token;
    }
  }
  const response = await fetch(TOKEN_URL, { method: 'POST', credentials: 'same-origin', headers: UI_HEADER });
  // without a session AdminJS answers with a redirect to its login page, which fetch follows
  if (response.redirected || response.status === 401 || !(response.headers.get('content-type') ?? '').includes('json')) sessionEnded();
  const body = (await response.json()) as { accessToken?: string; expiresAt?: string; error?: { code: string; message: string } };
  if (!response.ok || !body.accessToken || !body.expiresAt) {
    throw new ApiError(response.status, body.error?.code ?? 'unauthorized', body.error?.message ?? 'Could not get an API token for this session');
  }
  memoryToken = { token: body.accessToken, expiresAt: body.expiresAt };
  try {
    sessionStorage.setItem(storageKey(), JSON.stringify(memoryToken));
  } catch {
    // private mode or full storage: the token then lives for this page only
  }
  return memoryToken.token;
}

export interface RequestOptions {
  json?: unknown;
  xml?: string;
}

/** Calls `/api<path>`; resolves to the parsed JSON body (undefined for an empty one), rejects with ApiError. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = { Authorization: `Bearer ${await accessToken(attempt > 0)}`, Accept: 'application/json' };
    let body: string | undefined;
    if (options.xml !== undefined) {
      headers['Content-Type'] = 'application/xml';
      body = options.xml;
    } else if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`/api${path}`, { method, headers, body, credentials: 'omit' });
    // an expired or revoked token: fetch a new one once
    if (response.status === 401 && attempt === 0) continue;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: ProblemDetail[] } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? (text.slice(0, 200) || response.statusText), error?.details ?? []);
    }
    return parsed as T;
  }
}

/** An ApiError's message for a person, with what a 403 means here. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
