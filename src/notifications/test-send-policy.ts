import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor';
import { ForbiddenError, ValidationError } from '../common/errors';
import { type RateLimit, RateLimits } from '../common/rate-limit';
import { queryOne } from '../database/sql';
import { SettingsService } from '../settings/settings.service';
import type { Channel } from './notification-events';
import { testRecipientOf } from './test-recipient';

/** Test sends per person (user or API key) in an hour: enough to try a template, too few to spam anyone with it. */
export const TEST_SENDS_PER_HOUR = 10;

/**
 * Issue 11 item 6: a template test send reaches only the sender's own email address or the test recipients of the
 * settings (`notifications.testRecipients`, the only way to test SMS), and at most TEST_SENDS_PER_HOUR per sender,
 * counted in PostgreSQL for every process: the product is not a relay for messages to strangers.
 */
@Injectable()
export class TestSendPolicy {
  private readonly limit: RateLimit;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SettingsService,
    limits: RateLimits,
  ) {
    this.limit = limits.limit({ name: 'template-test-send', points: TEST_SENDS_PER_HOUR, windowSeconds: 3600 });
  }

  /** The recipient as it will be addressed; 422 for a malformed one, 403 for a stranger, 429 past the hourly limit. */
  async admit(channel: Channel, to: string, actor: Actor): Promise<string> {
    const recipient = testRecipientOf(channel, to);
    if (!recipient) {
      throw ValidationError.of('to', channel === 'sms' ? 'must be a mobile number (1[3-9] and 9 digits, or +country number)' : 'must be one email address');
    }
    if (!(await this.allowedRecipients(channel, actor)).has(recipient)) {
      throw new ForbiddenError(
        channel === 'sms'
          ? 'Test SMS go only to the numbers in the settings (notifications.testRecipients)'
          : 'Test emails go only to your own address or to the test recipients in the settings (notifications.testRecipients)',
      );
    }
    await this.limit.consume(`${actor.kind}:${actor.id}`, (seconds) => `At most ${TEST_SENDS_PER_HOUR} test messages an hour; try again in ${seconds} second(s)`);
    return recipient;
  }

  private async allowedRecipients(channel: Channel, actor: Actor): Promise<Set<string>> {
    const listed = (await this.settings.get()).notifications.testRecipients;
    const allowed = new Set(listed.map((entry) => testRecipientOf(channel, entry)).filter((entry): entry is string => entry !== null));
    if (channel === 'email' && actor.kind === 'user') {
      // the account's address as stored now, not a name the token carried
      const own = await queryOne<{ email: string }>(this.db, `SELECT email FROM app_user WHERE id = $1`, [actor.id]);
      if (own) allowed.add(own.email.toLowerCase());
    }
    return allowed;
  }
}
