import { createHash } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { RateLimitedError } from './errors';

/** The table of migration 1764830000000 (rate-limiter-flexible's layout: key, points, expire). */
export const RATE_LIMIT_TABLE = 'rate_limit';

export interface RateLimitRule {
  /** Names the limit; keys of different limits never meet. */
  name: string;
  /** Requests allowed per window. */
  points: number;
  windowSeconds: number;
}

/**
 * A limit on how often one key (a link, an address, a user) may do something, counted in PostgreSQL so every process
 * of the service shares it (a fixed window per key: rate-limiter-flexible's PostgreSQL store, one atomic upsert).
 */
export class RateLimit {
  constructor(
    readonly rule: RateLimitRule,
    private readonly limiter: RateLimiterPostgres,
  ) {}

  /** Counts one request of `key`, or refuses it with 429 rate_limited and Retry-After once the window is used up. */
  async consume(key: string, refusal: (retryAfterSeconds: number) => string): Promise<void> {
    try {
      // hashed: keys may be secrets (a customer link's token) and are of any length
      await this.limiter.consume(createHash('sha256').update(key).digest('base64url'));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new RateLimitedError(refusal(retryAfter), retryAfter);
    }
  }
}

/** Makes the limits; one limiter per rule, all in the one table. */
@Injectable()
export class RateLimits {
  private readonly limits = new Map<string, RateLimit>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  limit(rule: RateLimitRule): RateLimit {
    const known = this.limits.get(rule.name);
    if (known) return known;
    const limiter = new RateLimiterPostgres({
      storeClient: this.db,
      storeType: 'typeorm',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      keyPrefix: rule.name,
      points: rule.points,
      duration: rule.windowSeconds,
    });
    const limit = new RateLimit(rule, limiter);
    this.limits.set(rule.name, limit);
    return limit;
  }
}

@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitModule {}
