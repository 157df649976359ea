import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/**
 * Counts the intake's refusals by error code, whatever refused (the body parser, the guard, validation, the service):
 * mounted on /api/orders before all of them, it reads the answer once it is sent (the error filter leaves the code in
 * `response.locals.errorCode`).
 */
export function countIntakeRefusals(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method === 'POST' && request.path === '/') {
      response.once('finish', () => {
        if (response.statusCode >= 400) metrics.intakeRefused(String(response.locals.errorCode ?? response.statusCode));
      });
    }
    next();
  };
}
