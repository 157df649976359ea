import type { AppConfig } from './config';

/**
 * What a process does (OMS_ROLE; DESIGN "Scale"): `web` serves the HTTP API, the admin and the API docs; `worker` runs
 * the background work (workflow jobs, the notification outbox, the stock-announcement sweep) and answers only the
 * probes; `all` does both (a laptop, the embedded database). Every background loop and the HTTP set-up ask here.
 */
export const PROCESS_ROLES = ['web', 'worker', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** What a worker process answers on its port: an orchestrator's probes, nothing of the API. */
export const PROBE_PATHS: readonly string[] = ['/health', '/metrics'];

/** Whether this process runs the background loops; WORKER_CONCURRENCY=0 keeps meaning an API-only process. */
export function runsWorkers(config: Pick<AppConfig, 'OMS_ROLE' | 'WORKER_CONCURRENCY'>): boolean {
  return config.OMS_ROLE !== 'web' && config.WORKER_CONCURRENCY > 0;
}

/** Whether this process serves the HTTP API, the admin and the API docs (a worker serves PROBE_PATHS only). */
export function servesHttp(config: Pick<AppConfig, 'OMS_ROLE'>): boolean {
  return config.OMS_ROLE !== 'worker';
}

/** The port to listen on: a worker's WORKER_PORT when set, else PORT. */
export function listenPortOf(config: Pick<AppConfig, 'OMS_ROLE' | 'PORT' | 'WORKER_PORT'>): number {
  return config.OMS_ROLE === 'worker' ? (config.WORKER_PORT ?? config.PORT) : config.PORT;
}
