import { z } from 'zod';
import { normaliseEmail, passwordProblem } from '../auth/credentials-policy';
import { PROCESS_ROLES, type ProcessRole } from './process-role';

/** INTEGRATIONS_KEY's 32 bytes (64 hex digits, or base64 / base64url), or null when it is not such a key. */
export function integrationsKeyBytes(value: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** Log levels pino understands; also used for Nest's own logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const postgresUrl = optionalString.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\/.+/.test(value),
  'must be a postgres:// or postgresql:// URL',
);

const integer = <Fallback extends number | undefined>(min: number, max: number, fallback: Fallback) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback as number | Fallback;
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return Number(value);
    });

const publicUrl = optionalString.refine((value) => value === undefined || /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(value), 'must be an http:// or https:// URL like https://shop.example.com, without ? or #');

/** The one place every environment variable is declared, with its default. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65535, 3000),
  DATABASE_URL: postgresUrl,
  DATA_DIR: z.string().trim().min(1).default('./data'),
  ADMIN_EMAIL: z.string().transform(normaliseEmail).pipe(z.email('must be an email address')).default('admin@example.com'),
  /** The first admin's password: the policy of every password (G3.3), and taken as written (never trimmed). */
  ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .superRefine((value, context) => {
      const problem = value === undefined ? null : passwordProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  SMTP_URL: optionalString.refine(
    (value) => value === undefined || /^smtps?:\/\/.+/.test(value),
    'must be an smtp:// or smtps:// URL',
  ),
  MAIL_FROM: z.string().trim().min(3).default('OMS <no-reply@oms.local>'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHOP_NAME: z.string().trim().min(1).default('OMS Demo Shop'),
  DEFAULT_LOCALE: z.enum(['zh-CN', 'en']).default('zh-CN'),
  /** Workflow workers per process; 0 turns the worker off (an API-only process). */
  WORKER_CONCURRENCY: integer(0, 64, 4),
  /** Idle poll interval of the job workers in milliseconds. */
  WORKER_POLL_MS: integer(10, 60_000, 250),
  /** How long a worker owns an instance before another process may take it over after a crash. */
  WORKER_LEASE_SECONDS: integer(1, 3600, 30),
  /**
   * Intake back-pressure: POST /api/orders answers 429 rate_limited while more workflow steps than this are due and not
   * yet run (the step backlog), instead of letting the latency of every order grow without bound; 0 turns it off.
   */
  INTAKE_MAX_BACKLOG: integer(0, 100_000_000, 5000),
  /** What a 503 (the database is out of reach) and the intake's 429 (backlog full) tell a client to wait, in seconds. */
  RETRY_AFTER_SECONDS: integer(1, 3600, 5),
  /** How long a request waits for a database connection (a free one from the pool, or a new one) before a 503. */
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 600_000, 15_000),
  /** PostgreSQL's statement_timeout for the app's connections (migrations excepted); 0: none. Not applied to the embedded database. */
  DATABASE_STATEMENT_TIMEOUT_MS: integer(0, 86_400_000, 60_000),
  ACCESS_TOKEN_TTL_MINUTES: integer(5, 60 * 24 * 30, 12 * 60),
  /** Seed demo data on the first start of an empty database (default: only on the embedded database). */
  DEMO_DATA: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Fault injection for the crash tests: the process kills itself (SIGKILL) right after this task type's handler committed. */
  FAULT_CRASH_AFTER_TASK: optionalString,
  /**
   * Where customers reach the service: every link given out (the after-sales page in messages and from the API) starts
   * with it, never with a request's Host header; default http://localhost:<PORT>. PUBLIC_BASE_URL is the older name.
   */
  PUBLIC_URL: publicUrl,
  PUBLIC_BASE_URL: publicUrl,
  /** SMS (issue 7): `capture` keeps messages in the captured_sms table (development, tests); `http` posts them to SMS_HTTP_URL. */
  SMS_PROVIDER: z.enum(['capture', 'http']).default('capture'),
  SMS_HTTP_URL: optionalString.refine((value) => value === undefined || /^https?:\/\/.+/.test(value), 'must be an http:// or https:// URL'),
  /** Sent as `Authorization: Bearer <token>` to SMS_HTTP_URL. */
  SMS_HTTP_TOKEN: optionalString,
  /** How long a sender owns a message it is sending; after a crash another process (or the restarted one) sends it then. */
  NOTIFICATION_LEASE_SECONDS: integer(1, 3600, 60),
  /**
   * Idle poll interval of the outbox sender in milliseconds: what makes retries and deferred messages go out when due, and
   * the fallback for a lost wake-up (a message queued by another process normally wakes this one at once by NOTIFY).
   */
  NOTIFICATION_POLL_MS: integer(10, 600_000, 1000),
  /**
   * Connectors' outbound pushes (issue 15: fulfilment, stock, WMS instructions; src/integrations/outbound/): the sender's idle
   * poll in milliseconds, the delay before the first retry (doubling up to an hour), and the attempts before a push is given
   * up as a dead letter with a system alert.
   */
  INTEGRATION_PUSH_POLL_MS: integer(10, 600_000, 1000),
  INTEGRATION_PUSH_RETRY_MS: integer(0, 3_600_000, 10_000),
  INTEGRATION_PUSH_MAX_ATTEMPTS: integer(1, 100, 10),
  /** Fault injection for the crash tests: the process kills itself (SIGKILL) after claiming a message, before sending it. */
  FAULT_CRASH_BEFORE_SEND: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Fault injection for the crash tests: the process kills itself (SIGKILL) right after a transaction that announced stock committed. */
  FAULT_CRASH_AFTER_STOCK_ANNOUNCED: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Fault injection for the crash tests: the process kills itself (SIGKILL) once a backup's file is written, before it is renamed. */
  FAULT_CRASH_DURING_BACKUP: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  ADMIN_ENABLED: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /**
   * A static bearer token that may read /metrics besides a user or API key holding metrics.read, so that a Prometheus
   * scraper is configured without an account. Unset: only tokens with the permission. Long, because it reveals volumes.
   */
  METRICS_TOKEN: optionalString.refine((value) => value === undefined || /^[\x21-\x7e]{24,200}$/.test(value), 'must be 24 to 200 printable characters without spaces'),
  /**
   * What this process does (src/config/process-role.ts): `web` the HTTP API and the admin, `worker` the background work
   * (workflow steps, outbox, sweeps) with only /health on its port, `all` both. Unset: `all`, or `web` when WORKERS forks workers.
   */
  OMS_ROLE: optionalString.pipe(z.enum(PROCESS_ROLES).optional()),
  /** Worker processes this process forks and supervises (OMS_ROLE=worker each); 0: none. */
  WORKERS: integer(0, 64, 0),
  /**
   * V8's old-generation limit of each forked worker in MB (--max-old-space-size); 0: V8's default. A worker's live heap is
   * ~75 MB, but on a large machine V8 lets garbage grow to ~300 MB before it collects (bench/README.md, issue 12): the limit
   * keeps a worker's resident memory near 220 MB. A worker started on its own (a container) takes it from NODE_OPTIONS.
   */
  WORKER_MAX_HEAP_MB: integer(0, 65_536, 192),
  /** The port of a worker process's /health; unset: PORT. A forked worker n listens on WORKER_PORT + n, or on a free port. */
  WORKER_PORT: integer(0, 65535, undefined),
  /** After SIGTERM/SIGINT a process finishes its claimed work and requests for this long, then exits anyway. */
  SHUTDOWN_TIMEOUT_MS: integer(1000, 600_000, 25_000),
  /** Where backups are written (issue 13); unset: DATA_DIR/backups. Shared storage when several hosts run the service. */
  BACKUP_DIR: optionalString,
  /** Backups are encrypted (AES-256-GCM) with a key derived from this; a restore needs the same. `openssl rand -hex 32` makes one. */
  BACKUP_KEY: optionalString.refine((value) => value === undefined || value.length >= 16, 'must be at least 16 characters (openssl rand -hex 32 makes a good one)'),
  /**
   * The AES-256 key the connectors' secrets are encrypted with (issue 15): 32 bytes as 64 hex digits or base64
   * (`openssl rand -hex 32`). Unset: a key generated on the first start and kept in the database (app_secret), as the other
   * generated secrets are; set it in production so that a copy of the database (or a backup) alone does not reveal them.
   */
  INTEGRATIONS_KEY: optionalString.refine((value) => value === undefined || integrationsKeyBytes(value) !== null, 'must be 32 bytes as 64 hex digits or base64 (openssl rand -hex 32 makes one)'),
}).superRefine((config, context) => {
  // once both are valid: the first admin's password must not be its email either
  if (config.ADMIN_PASSWORD !== undefined && passwordProblem(config.ADMIN_PASSWORD, config.ADMIN_EMAIL)) {
    context.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'must not be the email address (ADMIN_EMAIL)' });
  }
  // the embedded database belongs to one process (STACK traps 7-8): that process must do everything
  if (!config.DATABASE_URL && config.WORKERS > 0) {
    context.addIssue({ code: 'custom', path: ['WORKERS'], message: 'worker processes need PostgreSQL (DATABASE_URL): the embedded database can be opened by one process only' });
  }
  if (!config.DATABASE_URL && config.OMS_ROLE && config.OMS_ROLE !== 'all') {
    context.addIssue({ code: 'custom', path: ['OMS_ROLE'], message: 'web and worker processes need PostgreSQL (DATABASE_URL): on the embedded database one process does everything (all)' });
  }
  if (config.OMS_ROLE === 'worker' && config.WORKER_CONCURRENCY === 0) {
    context.addIssue({ code: 'custom', path: ['OMS_ROLE'], message: 'a worker with WORKER_CONCURRENCY=0 would do nothing' });
  }
}).transform((config) => {
  // with forked workers the main process serves the web unless told otherwise
  const role: ProcessRole = config.OMS_ROLE ?? (config.WORKERS > 0 ? 'web' : 'all');
  return { ...config, OMS_ROLE: role };
});

export type AppConfig = z.infer<typeof configSchema>;
