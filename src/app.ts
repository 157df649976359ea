import type { Server } from 'node:http';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, type NextFunction, raw, type Request, type Response, text, urlencoded } from 'express';
import { createAdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import { ApiErrorFilter } from './common/error.filter';
import { refuseDeepJson, UnsafeInputPipe } from './common/input-safety';
import { PinoNestLogger } from './common/logger';
import { assignRequestId } from './common/request-context';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { PROBE_PATHS, servesHttp } from './config/process-role';
import { type DatabaseLocation, locateDatabase } from './database/database-location';
import { countIntakeRefusals } from './metrics/intake-refusals';
import { MetricsService } from './metrics/metrics.service';

export interface RunningApp {
  app: INestApplication;
  location: DatabaseLocation;
  logger: PinoNestLogger;
  close(): Promise<void>;
}

/**
 * Builds the whole service: database (external or embedded), Nest app, API conventions, OpenAPI docs and,
 * unless `admin: false`, the AdminJS back office. `main.ts` listens; tests call this directly. A worker process
 * (OMS_ROLE=worker) gets the same services without the admin and the docs, and answers only the probes.
 */
export async function createApp(config: AppConfig, options: { admin?: boolean } = {}): Promise<RunningApp> {
  const logger = new PinoNestLogger(config.LOG_LEVEL);
  Logger.overrideLogger(logger);
  const location = await locateDatabase(config);
  const extraImports = [];
  const web = servesHttp(config);
  if (options.admin ?? (config.ADMIN_ENABLED && web)) {
    extraImports.push(createAdminModule());
  }
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, location, extraImports), {
      logger,
      bodyParser: false,
      abortOnError: false,
    });
  } catch (error) {
    await location.close();
    throw error;
  }
  app.set('trust proxy', 'loopback');
  // no X-Powered-By anywhere: it only tells an attacker what to try
  app.disable('x-powered-by');
  // first: every later middleware, handler and log line runs with the request's id
  app.use(assignRequestId);
  if (!web) app.use(probesOnly);
  app.use('/api/orders', countIntakeRefusals(app.get(MetricsService)));
  app.use('/api', json({ limit: '1mb', verify: refuseDeepJson }), text({ type: ['application/xml', 'text/xml'], limit: '5mb' }));
  // providers' webhooks (issue 15): the signature is over the exact bytes, so /hooks gets the body unparsed (a Buffer)
  app.use('/hooks', raw({ type: () => true, limit: '1mb' }));
  app.use(urlencoded({ extended: false, limit: '1mb' }));
  app.useGlobalFilters(new ApiErrorFilter({ retryAfterSeconds: config.RETRY_AFTER_SECONDS }));
  app.useGlobalPipes(new UnsafeInputPipe(), createValidationPipe());

  if (web) setUpApiDocs(app);

  await app.init();
  let closed = false;
  return {
    app,
    location,
    logger,
    /**
     * Graceful: stops accepting connections at once, while the hooks stop taking jobs and finish the claimed ones; the
     * database closes once those steps and the requests in flight are done (Nest waits for the HTTP server to drain).
     */
    async close() {
      if (closed) return;
      closed = true;
      const drained = stopAcceptingRequests(app.getHttpServer());
      await app.close();
      await drained;
      await location.close();
    },
  };
}

/** Resolves once the requests in flight are answered; a kept-alive connection is closed as soon as it is idle (else each holds the close for its keep-alive timeout). */
function stopAcceptingRequests(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(closeIdle);
      resolve();
    });
  });
}

/** A worker's port is for an orchestrator's probes; the API and the admin are the web processes' (same error shape). */
function probesOnly(request: Request, response: Response, next: NextFunction): void {
  if (PROBE_PATHS.includes(request.path)) return next();
  response.status(404).json({ error: { code: 'not_found', message: 'This is a worker process (OMS_ROLE=worker): it serves /health and /metrics only; the API is on the web processes' } });
}

function setUpApiDocs(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('OMS API')
      .setDescription('Order management: catalogue and stock, orders, workflows (see API.md)')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
