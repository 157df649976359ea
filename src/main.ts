import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { type AppConfig, ConfigError, loadConfig } from './config/config';
import { listenPortOf, servesHttp } from './config/process-role';
import { DataDirInUseError } from './database/embedded-postgres';
import { exitGracefullyOnStop } from './process/graceful-stop';
import { type WorkerReady, workerExecArgv, WorkerSupervisor } from './process/worker-supervisor';
import { firstAdminBox } from './setup/first-admin-notice';
import { SetupService } from './setup/setup.service';

/** Prints the first admin's box, once, while it is still to be printed. */
let printFirstAdmin: (() => void) | undefined;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = new Logger('Main');
  let stopRequested = false;
  let supervisor: WorkerSupervisor | undefined;
  const started = Date.now();
  const starting = createApp(config);
  // handled from the first moment: a stop during the start closes the app once it is up
  exitGracefullyOnStop({
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    log: (message) => logger.log(message),
    async stop() {
      stopRequested = true;
      printFirstAdmin?.();
      const running = await starting.catch(() => undefined);
      const [workersStopped] = await Promise.all([supervisor?.stop() ?? true, running?.close()]);
      return workersStopped;
    },
    beforeForcedExit: () => supervisor?.kill(),
  });
  const running = await starting;
  if (stopRequested) return; // the stop handler closes it
  const port = listenPortOf(config);
  const server = running.app.getHttpServer() as Server;
  // an idle kept-alive connection stays open longer than clients and proxies keep theirs (ALB 60 s, undici 4 s): closed by
  // the server first, a client that sends on it at that moment gets "other side closed" (Node's default is 5 s)
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await running.app.listen(port, '0.0.0.0');
  const listening = (server.address() as AddressInfo).port;
  running.logger.log(
    `OMS ${config.OMS_ROLE} process ready in ${Date.now() - started} ms on ${running.location.embedded ? 'the embedded database' : 'PostgreSQL'}, port ${listening}`,
    'Main',
  );
  // started after this process migrated and set up the database: the workers find it ready
  if (config.WORKERS > 0 && !stopRequested) {
    supervisor = new WorkerSupervisor({
      count: config.WORKERS,
      logger: running.logger,
      execArgv: workerExecArgv(process.execArgv, config.WORKER_MAX_HEAP_MB),
      envOf: (number) => ({
        ...process.env,
        OMS_ROLE: 'worker',
        WORKERS: '0',
        // a free port unless WORKER_PORT numbers them
        WORKER_PORT: String(config.WORKER_PORT === undefined ? 0 : config.WORKER_PORT + number),
      }),
    });
    supervisor.start();
  }
  const setup = running.app.get(SetupService);
  const generated = setup.firstAdmin;
  const firstAdmin = generated?.password ? { email: generated.email, password: generated.password } : undefined;
  if (process.send) {
    const ready: WorkerReady = { type: 'worker-ready', port: listening };
    process.send(ready);
  } else {
    printBanner(config, listening, firstAdmin !== undefined);
  }
  if (firstAdmin) {
    // the only time the generated password is shown (issue 14 item 12): last, once the start's work is done (a stop before prints it at once)
    const box = firstAdminBox(firstAdmin, servesHttp(config) && config.ADMIN_ENABLED ? `http://localhost:${listening}/admin` : undefined);
    printFirstAdmin = () => {
      printFirstAdmin = undefined;
      process.stdout.write(box);
    };
    void setup.startupSettled().catch(() => undefined).then(() => printFirstAdmin?.());
  }
}

function printBanner(config: AppConfig, port: number, passwordBelow: boolean): void {
  const url = `http://localhost:${port}`;
  const password = config.ADMIN_PASSWORD ? ' with ADMIN_PASSWORD' : passwordBelow ? ', password below' : ', the password printed on the first start';
  const lines = servesHttp(config)
    ? [
        `  OMS is running: ${url}`,
        `  Admin:  ${url}/admin   (login: ${config.ADMIN_EMAIL}${password})`,
        `  API:    ${url}/api/docs`,
      ]
    : [`  OMS worker is running (no API here): ${url}/health`];
  if (config.WORKERS > 0) lines.push(`  Workers: ${config.WORKERS} worker process${config.WORKERS === 1 ? '' : 'es'} (OMS_ROLE=worker), restarted when they exit`);
  if (config.OMS_ROLE === 'web') lines.push('  This process runs no workflow steps: worker processes (OMS_ROLE=worker or WORKERS=N) do');
  process.stdout.write(['', ...lines, ''].join('\n') + '\n');
}

main().catch((error) => {
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`OMS cannot start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`OMS failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
