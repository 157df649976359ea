import { Injectable } from '@nestjs/common';
import { type RateLimit, RateLimits } from '../common/rate-limit';

/** Public customer-link requests allowed per link and per client address in a minute. */
export const PUBLIC_REQUESTS_PER_TOKEN = 30;
/** Higher than per link: many customers can share one address behind a carrier's NAT. */
export const PUBLIC_REQUESTS_PER_ADDRESS = 120;
const WINDOW_SECONDS = 60;

/**
 * Throttles the public customer-link routes per link and per client address, counted in PostgreSQL so that every
 * process of the service shares one count (a link cannot get N times the limit from N processes).
 */
@Injectable()
export class CustomerLinkThrottle {
  private readonly perAddress: RateLimit;
  private readonly perToken: RateLimit;

  constructor(limits: RateLimits) {
    this.perAddress = limits.limit({ name: 'customer-link-address', points: PUBLIC_REQUESTS_PER_ADDRESS, windowSeconds: WINDOW_SECONDS });
    this.perToken = limits.limit({ name: 'customer-link-token', points: PUBLIC_REQUESTS_PER_TOKEN, windowSeconds: WINDOW_SECONDS });
  }

  /** Counts the request, or refuses it (429 with Retry-After) when the address or the link used up its minute. */
  async admit(token: string, address: string): Promise<void> {
    const refusal = (retryAfter: number) => `Too many requests for this link; try again in ${retryAfter} second(s)`;
    await this.perAddress.consume(address, refusal);
    await this.perToken.consume(token, refusal);
  }
}
