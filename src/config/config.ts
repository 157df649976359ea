import { configSchema, type AppConfig } from './config.schema';

export type { AppConfig } from './config.schema';

/** A wrong environment value stops the start with a message naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const SECRET_VARIABLES = new Set(['ADMIN_PASSWORD', 'DATABASE_URL', 'SMTP_URL', 'METRICS_TOKEN', 'BACKUP_KEY', 'INTEGRATIONS_KEY']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = configSchema.safeParse(env);
  if (result.success) return Object.freeze(result.data);
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // Never echo values that may carry credentials.
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(env[name] ?? null)})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** The origin customers reach the service at (PUBLIC_URL, else PUBLIC_BASE_URL, else this machine's port), without a trailing slash. */
export function publicUrlOf(config: Pick<AppConfig, 'PUBLIC_URL' | 'PUBLIC_BASE_URL' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
