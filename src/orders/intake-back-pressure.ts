import { Inject, Injectable } from '@nestjs/common';
import { RateLimitedError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { StepBacklog } from '../workflow/step-backlog';

/**
 * Back-pressure on intake (issue 12 item 7): while more workflow steps are due than INTAKE_MAX_BACKLOG, a new order is
 * refused with 429 rate_limited and Retry-After. Taken, it would only queue behind the others and make every order's
 * latency grow without bound; refused, the sender keeps it and sends it again (intake is idempotent by channel and
 * externalId, so resending is always safe).
 */
@Injectable()
export class IntakeBackPressure {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly backlog: StepBacklog,
  ) {}

  /** Returns when there is room for another order; throws RateLimitedError (429) otherwise. Checked before anything is written. */
  async admit(): Promise<void> {
    const limit = this.config.INTAKE_MAX_BACKLOG;
    if (limit === 0) return;
    const due = await this.backlog.dueSteps(limit + 1);
    if (due > limit) {
      throw new RateLimitedError(
        `More than ${limit} workflow steps are waiting to run, so no new order is taken for now; send it again after the time in Retry-After`,
        this.config.RETRY_AFTER_SECONDS,
      );
    }
  }
}
