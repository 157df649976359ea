import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { AppError, type ErrorDetail, ValidationError } from './errors';

/** Deeper JSON than any request of the API needs; the limit keeps recursive walkers (ours, class-transformer's) safe. */
export const MAX_JSON_DEPTH = 64;

/** Half of a UTF-16 surrogate pair without its other half: no character at all, and no UTF-8 spelling (validator's isEmail throws on it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What makes a text unstorable, or undefined when it is fine. */
function textProblem(text: string): string | undefined {
  // PostgreSQL cannot store U+0000 in text: refused here instead of failing the write
  if (text.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it has half of a surrogate pair)';
  return undefined;
}

/** Keys that reach an object's prototype when copied onto another object: never a field of the API. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const OPEN_BRACKETS = new Set([0x5b, 0x7b]); // [ {
const CLOSE_BRACKETS = new Set([0x5d, 0x7d]); // ] }

/**
 * body-parser's `verify` hook: counts bracket depth over the raw bytes (outside strings) before JSON.parse runs, so a
 * body nested 10,000 deep is refused in one cheap pass instead of being built in memory. Only UTF-8 is read (RFC 8259):
 * in UTF-16 a byte-wise count could be led astray, and no client of the API sends it.
 */
export function refuseDeepJson(_request: unknown, _response: unknown, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8') throw new AppError(415, 'unsupported_media_type', 'JSON bodies must be UTF-8');
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === 0x5c) index++; // a backslash escapes the next character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (OPEN_BRACKETS.has(byte)) {
      if (++depth > MAX_JSON_DEPTH) throw new AppError(400, 'bad_request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`);
    } else if (CLOSE_BRACKETS.has(byte)) {
      depth--;
    }
  }
}

/** `lines[0].sku` style paths, as flattenValidationErrors writes them. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Every NUL character, lone surrogate and prototype key in a request value, each with its path (the value's depth is capped already). */
export function unsafeInputProblems(value: unknown, path: string, problems: ErrorDetail[] = [], depth = 0): ErrorDetail[] {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) problems.push({ path: path || 'body', message: problem });
    return problems;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return problems;
  if (depth > MAX_JSON_DEPTH) {
    problems.push({ path: path || 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    return problems;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => unsafeInputProblems(item, childPath(path, index), problems, depth + 1));
    return problems;
  }
  for (const key of Object.keys(value)) {
    const keyProblem = textProblem(key);
    const keyPath = childPath(path, keyProblem ? JSON.stringify(key).slice(1, -1) : key);
    if (PROTOTYPE_KEYS.has(key)) problems.push({ path: keyPath, message: `property ${key} should not exist` });
    else if (keyProblem) problems.push({ path: keyPath, message: keyProblem });
    else unsafeInputProblems((value as Record<string, unknown>)[key], keyPath, problems, depth + 1);
  }
  return problems;
}

/**
 * Runs before validation on every body, query and path parameter of every route: a NUL character or a lone surrogate
 * anywhere, or a prototype key (`__proto__`, `constructor`, `prototype`) is a 422 naming the field, before any service sees it.
 */
@Injectable()
export class UnsafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problems = unsafeInputProblems(value, metadata.data ?? '');
    if (problems.length) throw ValidationError.listing(problems);
    return value;
  }
}
