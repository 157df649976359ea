import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { type ErrorDetail, ValidationError } from './errors';

/** `lines[0].quantity` style paths for nested class-validator errors. */
export function flattenValidationErrors(errors: ClassValidatorError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : parent ? `.${error.property}` : error.property;
    const path = `${parent}${segment}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message: message.replace(/^(\S+\.)*/, '') }));
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

/** Unknown fields and wrong types are 422 validation_failed with every problem listed (API.md). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new ValidationError(`The request has ${details.length} problem(s): ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    },
  });
}
