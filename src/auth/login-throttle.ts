import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimitedError } from '../common/errors';
import { queryRows } from '../database/sql';

/**
 * G3.3, issue 11 item 4: failed logins slow the next attempts down, per account, per client address and per device
 * cookie, with delays that grow with each failure and never exceed MAX_DELAY_SECONDS, so nobody can lock an account out
 * for good; a device that signed in before is judged only by its own failures (see DeviceCookies).
 * Counted in PostgreSQL (login_failure), so every app process sees the same numbers.
 */
export const FAILURE_WINDOW_SECONDS = 24 * 60 * 60;
export const FIRST_DELAY_SECONDS = 60;
export const MAX_DELAY_SECONDS = 15 * 60;

/** What is throttled, and how many failures in the window pass before the delays begin. */
export type ThrottleSubject = { kind: 'account' | 'address' | 'device'; key: string };
const FREE_FAILURES: Record<ThrottleSubject['kind'], number> = { account: 5, device: 5, address: 30 };

/** After `failures` failures (beyond the free ones) the next attempt waits this long after the latest. */
export function backOffSeconds(kind: ThrottleSubject['kind'], failures: number): number {
  const beyond = failures - FREE_FAILURES[kind];
  if (beyond < 0) return 0;
  return Math.min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** Math.min(beyond, 20));
}

const subjectOf = ({ kind, key }: ThrottleSubject) => `${kind}:${key}`;

/** An attempt let through: it stays recorded as a failure unless the password was right (`succeeded`). */
export interface LoginAttempt {
  claimed: string[];
}

@Injectable()
export class LoginThrottle {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records the attempt as a failure of each subject before the password is checked, then looks at the failures before
   * it: of attempts racing each other, each sees at least those committed before its own, and the latest of them is
   * "just now", so parallel guesses cannot slip past a delay. A refused attempt takes its rows back (being throttled
   * is not a failure) and is told when to come back (429 with Retry-After).
   */
  async claim(subjects: ThrottleSubject[]): Promise<LoginAttempt> {
    const names = subjects.map(subjectOf);
    // failures older than the window no longer count: they go as the subject is next tried
    const claimed = (
      await queryRows<{ id: string }>(
        this.db,
        `WITH forgotten AS (DELETE FROM login_failure WHERE subject = ANY($1::text[]) AND at <= now() - make_interval(secs => $2))
         INSERT INTO login_failure (subject) SELECT unnest($1::text[]) RETURNING id`,
        [names, FAILURE_WINDOW_SECONDS],
      )
    ).map((row) => String(row.id));
    const counts = await queryRows<{ subject: string; others: number; sinceLatest: number | null }>(
      this.db,
      `SELECT subject, count(*) FILTER (WHERE id <> ALL($2::bigint[]))::int AS others,
              extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE id <> ALL($2::bigint[])))::float8 AS "sinceLatest"
         FROM login_failure WHERE subject = ANY($1::text[]) AND at > now() - make_interval(secs => $3) GROUP BY subject`,
      [names, claimed, FAILURE_WINDOW_SECONDS],
    );
    let wait = 0;
    for (const row of counts) {
      const subject = subjects[names.indexOf(row.subject)];
      const delay = backOffSeconds(subject.kind, row.others);
      if (delay > 0) wait = Math.max(wait, delay - (row.sinceLatest ?? delay));
    }
    if (wait > 0) {
      await this.db.query(`DELETE FROM login_failure WHERE id = ANY($1::bigint[])`, [claimed]);
      const seconds = Math.ceil(wait);
      throw new RateLimitedError(`Too many failed logins; try again in ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}`, seconds);
    }
    return { claimed };
  }

  /** The password was right: the attempt is no failure, and the subjects given start again from nothing. */
  async succeeded(attempt: LoginAttempt, clear: ThrottleSubject[]): Promise<void> {
    await this.db.query(`DELETE FROM login_failure WHERE id = ANY($1::bigint[]) OR subject = ANY($2::text[])`, [attempt.claimed, clear.map(subjectOf)]);
  }
}
