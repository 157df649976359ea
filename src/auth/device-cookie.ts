import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CookieOptions, Request } from 'express';
import type { DataSource } from 'typeorm';
import { appSecret } from '../database/app-secret';

export const DEVICE_COOKIE = 'oms_device';
const DEVICE_COOKIE_SECRET = 'device-cookie';
const DEVICE_COOKIE_DAYS = 180;
const VALUE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** The `oms_device` cookie of a request (no cookie parser runs before the login routes). */
export function deviceCookieOf(request: Pick<Request, 'headers'>): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === DEVICE_COOKIE) return value.join('=');
  }
  return undefined;
}

/** Sent with every login response that issues a device cookie (the API's and the admin form's). */
export function deviceCookieOptions(request: Pick<Request, 'secure'>): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: request.secure, path: '/', maxAge: DEVICE_COOKIE_DAYS * 24 * 60 * 60 * 1000 };
}

/**
 * OWASP's device cookies: a successful login gives the browser a cookie signed for that account (a random nonce and an
 * HMAC of nonce and email, so the cookie does not name the account). A later login for the same account that carries it
 * is judged only by the failures of that device, so an attacker's guesses from elsewhere cannot keep its owner out.
 */
@Injectable()
export class DeviceCookies {
  private secret?: Promise<string>;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async issue(email: string): Promise<string> {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${await this.sign(nonce, email)}`;
  }

  /** The device's nonce when the cookie was issued for this (normalised) email by this installation; null otherwise. */
  async verify(cookie: string | undefined, email: string): Promise<string | null> {
    const match = cookie ? VALUE.exec(cookie) : null;
    if (!match) return null;
    const [, nonce, signature] = match;
    const expected = Buffer.from(await this.sign(nonce, email));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null;
  }

  private async sign(nonce: string, email: string): Promise<string> {
    this.secret ??= appSecret(this.db, DEVICE_COOKIE_SECRET).catch((error: unknown) => {
      this.secret = undefined;
      throw error;
    });
    return createHmac('sha256', await this.secret).update(`device:${nonce}:${email}`).digest('base64url');
  }
}
