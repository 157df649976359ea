import { Injectable, type MiddlewareConsumer, Module, type NestMiddleware, type NestModule } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ADMIN_SESSION_SECRET, AdminSessionModule, AdminSessionStore } from '../admin/admin-session';
import { AuthModule } from '../auth/auth.module';
import { SetupModule } from '../setup/setup.module';
import { SetupService } from '../setup/setup.service';
import { WorkflowUiAssetsController } from './workflow-ui-assets.controller';
import { WorkflowUiController } from './workflow-ui.controller';

/** Gives the page routes the admin session, whether or not AdminJS's router has run before them. */
@Injectable()
export class AdminSessionMiddleware implements NestMiddleware {
  private handler?: Promise<RequestHandler>;

  constructor(
    private readonly sessions: AdminSessionStore,
    private readonly setup: SetupService,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (request.session) return next();
    this.handler ??= this.setup.secret(ADMIN_SESSION_SECRET).then(
      (secret) => this.sessions.middleware(secret),
      (error: unknown) => {
        this.handler = undefined; // try again on the next request
        throw error;
      },
    );
    this.handler.then((handler) => handler(request, response, next), next);
  }
}

/**
 * The browser side of the workflow runtime: the modeler, instance and tasklist pages (bundled at build time by
 * build-bundles.mjs) and the session-to-token bridge their scripts use. Part of the admin: imported by
 * createAdminModule, so it is there exactly when AdminJS is.
 */
@Module({
  imports: [AuthModule, SetupModule, AdminSessionModule],
  controllers: [WorkflowUiController, WorkflowUiAssetsController],
  providers: [AdminSessionMiddleware],
})
export class WorkflowUiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminSessionMiddleware).forRoutes(WorkflowUiController);
  }
}
