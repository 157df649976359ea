import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, text, urlencoded } from 'express';
import { createAdminModule } from './admin/admin.module';
import { AppModule } from './app.module';
import { ApiErrorFilter } from './common/error.filter';
import { refuseDeepJson, UnsafeInputPipe } from './common/input-safety';
import { PinoNestLogger } from './common/logger';
import { assignRequestId } from './common/request-context';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
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
 * unless `admin: false`, the AdminJS back office. `main.ts` listens; tests call this directly.
 */
export async function createApp(config: AppConfig, options: { admin?: boolean } = {}): Promise<RunningApp> {
  const logger = new PinoNestLogger(config.LOG_LEVEL);
  Logger.overrideLogger(logger);
  const location = await locateDatabase(config);
  const extraImports = [];
  if (options.admin ?? config.ADMIN_ENABLED) {
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
  app.use('/api/orders', countIntakeRefusals(app.get(MetricsService)));
  app.use('/api', json({ limit: '1mb', verify: refuseDeepJson }), text({ type: ['application/xml', 'text/xml'], limit: '5mb' }));
  app.use(urlencoded({ extended: false, limit: '1mb' }));
  app.useGlobalFilters(new ApiErrorFilter());
  app.useGlobalPipes(new UnsafeInputPipe(), createValidationPipe());

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

  await app.init();
  let closed = false;
  return {
    app,
    location,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await location.close();
    },
  };
}
