import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { DataDirInUseError } from './database/embedded-postgres';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const started = Date.now();
  const running = await createApp(config);
  await running.app.listen(config.PORT, '0.0.0.0');
  const url = `http://localhost:${config.PORT}`;
  running.logger.log(`OMS ready in ${Date.now() - started} ms on ${running.location.embedded ? 'the embedded database' : 'PostgreSQL'}`, 'Main');
  process.stdout.write(
    [
      '',
      `  OMS is running: ${url}`,
      `  Admin:  ${url}/admin   (login: ${config.ADMIN_EMAIL}${config.ADMIN_PASSWORD ? ' with ADMIN_PASSWORD' : ', password printed above on the first start'})`,
      `  API:    ${url}/api/docs`,
      '',
    ].join('\n') + '\n',
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error) => {
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`OMS cannot start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`OMS failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
