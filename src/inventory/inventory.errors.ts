import { NotFoundError, ValidationError } from '../common/errors';

/**
 * An unknown warehouse or sku named in a request's body (or a form) is a problem of that field (422), not a missing URL:
 * the adjustments route and the admin's stock forms answer it the same way.
 */
export function unknownNamedInBody(error: unknown): unknown {
  if (error instanceof NotFoundError && /^(Warehouse|Product) /.test(error.message)) {
    return new ValidationError(error.message, [{ path: error.message.startsWith('Warehouse') ? 'warehouse' : 'sku', message: error.message }]);
  }
  return error;
}
