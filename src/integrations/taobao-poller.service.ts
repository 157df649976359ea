import { createHash, randomUUID } from 'node:crypto';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { type Queryable, queryOne, queryRows } from '../database/sql';
import { backoffSeconds, WorkLoops } from '../database/work-loops';
import { IntegrationsService, type OpenedIntegration } from './integrations.service';
import { text } from './providers/provider-types';
import { buildTopOrdersPoll, isClosedTopTrade, mapTopTrade, readTopOrdersPage, topPollSettingsOf, topSettingsOf } from './providers/taobao';
import { callTop } from './taobao-gateway';
import { type Delivery, WebhooksService } from './webhooks.service';

/** A system_alert of this kind says a connector's polling keeps failing (issue 15 item 1). */
export const POLL_FAILING_ALERT = 'integration_poll_failing';
/** Failed polls in a row after which a person is told (one alert per run of failures). */
export const ALERT_AFTER_FAILURES = 3;
/** How long a claim keeps other processes off a connector; renewed before each page, so only a crashed poller's runs out. */
const POLL_LEASE_SECONDS = 120;
/** TOP answers at most one day of changes per call (taobao.trades.sold.increment.get). */
const MAX_WINDOW_MS = 24 * 3600_000;
/** A gateway that always says has_next is not paged for ever: the window fails and is asked again later. */
const MAX_PAGES = 500;

interface ClaimedCursor {
  integrationId: string;
  token: string;
  modifiedThrough: Date | null;
  failures: number;
  alertedAt: Date | null;
  /** The database's time at the claim: one clock for every process, so a process whose clock is ahead cannot move the cursor past trades still to come. */
  now: Date;
}

/** A poll that could not finish its window: the cursor stays, the reason is the connector's lastError. */
class PollFailure extends Error {}

/**
 * Taobao / Tmall orders by polling (issue 15 items 1-2, G5.2): a worker-role loop claims a due taobao connector in
 * PostgreSQL (FOR UPDATE SKIP LOCKED and a lease, so one process polls it at a time, whichever processes run), asks TOP
 * for the trades modified in [cursor - overlap, now] (at most a day), page by page, and takes each through the same
 * intake as a webhook's order (WebhooksService.takeOrder: channel = the connector's name, externalId = tid). Each trade
 * version (tid + modified) is a delivery, taken once; a later version of a trade finds its order (a payment that arrived
 * is recorded on it), so overlap and re-reads never make a second order. Only when every page of the window is taken does
 * the cursor move to the window's end; a failure (TOP's error_response, a bad signature, an expired session, no answer)
 * leaves it, sets lastError, backs off, and after ALERT_AFTER_FAILURES in a row raises a system_alert.
 */
@Injectable()
export class TaobaoPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TaobaoPoller');
  private readonly loops: WorkLoops;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrations: IntegrationsService,
    private readonly webhooks: WebhooksService,
  ) {
    // due polls are found by looking (a connector's interval, its backoff, a change to its settings): once a second at most
    this.loops = new WorkLoops(this.logger, () => this.pollNext(), Math.max(config.WORKER_POLL_MS, 1000));
  }

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.loops.start(1);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loops.stop(); // a poll in progress stops after its page and gives the connector back
  }

  /** Claims the connector most overdue for a poll and polls one window of it; `more` when it is still behind. */
  async pollNext(): Promise<{ worked: boolean; more?: boolean }> {
    const claimed = await this.claim();
    if (!claimed) return { worked: false };
    return { worked: true, more: await this.poll(claimed) };
  }

  /**
   * A taobao connector due for a poll: active (a paused one is not polled), no live lease, and its next poll time reached
   * or its settings changed since its last poll (new credentials, resumed: polled at once, whatever the backoff).
   */
  private async claim(): Promise<ClaimedCursor | undefined> {
    await this.db.query(
      `INSERT INTO integration_poll_cursor (integration_id)
       SELECT i.id FROM integration i WHERE i.kind = 'taobao' AND NOT EXISTS (SELECT 1 FROM integration_poll_cursor c WHERE c.integration_id = i.id)
       ON CONFLICT DO NOTHING`,
    );
    const token = randomUUID();
    const row = await queryOne<{ integration_id: string; modified_through: Date | null; failures: number; alerted_at: Date | null; now: Date }>(
      this.db,
      `UPDATE integration_poll_cursor SET claim_token = $1, locked_until = now() + make_interval(secs => $2)
        WHERE integration_id = (
          SELECT c.integration_id FROM integration_poll_cursor c JOIN integration i ON i.id = c.integration_id
           WHERE i.kind = 'taobao' AND i.status = 'active' AND (c.locked_until IS NULL OR c.locked_until < now())
             AND (c.next_poll_at <= now() OR c.polled_at IS NULL OR i.updated_at > c.polled_at)
           ORDER BY c.next_poll_at LIMIT 1 FOR UPDATE OF c SKIP LOCKED)
        RETURNING integration_id, modified_through, failures, alerted_at, now() AS now`,
      [token, POLL_LEASE_SECONDS],
    );
    return row && { integrationId: row.integration_id, token, modifiedThrough: row.modified_through, failures: row.failures, alertedAt: row.alerted_at, now: row.now };
  }

  /** One window, every page; true when the cursor is still more than a window behind (poll again at once). */
  private async poll(claimed: ClaimedCursor): Promise<boolean> {
    let connector: OpenedIntegration;
    try {
      connector = await this.integrations.open(claimed.integrationId);
    } catch (error) {
      if (error instanceof NotFoundError) return false; // deleted meanwhile: its cursor went with it
      await this.failed(claimed, null, error instanceof Error ? error.message : String(error));
      return false;
    }
    const poll = topPollSettingsOf(connector.settings);
    const now = claimed.now.getTime();
    // the first poll starts initialSyncHours ago; every later one `overlap` before where the last one ended
    const from = claimed.modifiedThrough ? claimed.modifiedThrough.getTime() - poll.pollOverlapSeconds * 1000 : now - poll.initialSyncHours * 3600_000;
    const to = Math.max(from, Math.min(from + MAX_WINDOW_MS, now));
    const window = { from: new Date(from), to: new Date(to) };
    let rejected = 0;
    try {
      for (let page = 1; ; page++) {
        if (page > 1 && !this.loops.started) {
          // shutting down: the window is left to another process (or the next start), from its first page
          await this.ownUpdate(`UPDATE integration_poll_cursor SET claim_token = NULL, locked_until = NULL WHERE integration_id = $1 AND claim_token = $2`, [claimed.integrationId, claimed.token]);
          return false;
        }
        if (page > 1 && !(await this.renew(claimed))) return false; // the lease ran out and another process has it
        const answer = await callTop(buildTopOrdersPoll({ ...window, page }, topSettingsOf(connector.settings, connector.secrets)));
        if (!answer.ok) throw new PollFailure(answer.reason);
        const read = readTopOrdersPage(answer.body);
        if (!read.ok) throw new PollFailure(read.reason);
        for (const trade of read.value.trades) if ((await this.takeTrade(connector, trade)) === 'rejected') rejected++;
        if (!read.value.hasNext) break;
        if (page >= MAX_PAGES) throw new PollFailure(`TOP still had more after ${MAX_PAGES} pages of trades modified from ${window.from.toISOString()} to ${window.to.toISOString()}`);
      }
    } catch (error) {
      await this.failed(claimed, connector, error instanceof Error ? error.message : String(error));
      return false;
    }
    const behind = to < now;
    const moved = await this.ownUpdate(
      `UPDATE integration_poll_cursor SET modified_through = $3, overlap_seconds = $4, polled_at = now(), claim_token = NULL, locked_until = NULL,
              failures = 0, alerted_at = NULL, next_poll_at = CASE WHEN $5 THEN now() ELSE now() + make_interval(secs => $6) END
        WHERE integration_id = $1 AND claim_token = $2`,
      [claimed.integrationId, claimed.token, window.to, poll.pollOverlapSeconds, behind, poll.pollIntervalSeconds],
    );
    // a rejected trade stays the connector's lastError (it is asked for again while the overlap still covers it)
    if (moved && !rejected) await this.integrations.noteResult(claimed.integrationId, null);
    return moved && behind;
  }

  /** One trade version (tid + modified) once: mapped, then taken like a webhook's order; 'rejected' is recorded, anything else thrown. */
  private async takeTrade(connector: OpenedIntegration, trade: Record<string, unknown>): Promise<'taken' | 'seen' | 'ignored' | 'rejected'> {
    const tid = text(trade.tid);
    const deliveryId = tid ? `${tid}@${text(trade.modified)}` : `sha256:${createHash('sha256').update(JSON.stringify(trade)).digest('hex')}`;
    const delivery: Delivery = { connector, deliveryId: deliveryId.slice(0, 200), topic: text(trade.status).slice(0, 100) || 'trade', externalId: tid.slice(0, 100) || null };
    if (await this.webhooks.seenBefore(connector, delivery.deliveryId)) return 'seen';
    if (isClosedTopTrade(trade)) {
      // nothing to ship: not a new order; one taken before keeps its course (an unpaid one times out, a refund is after-sales)
      await this.webhooks.record(delivery, 'ignored');
      return 'ignored';
    }
    const mapped = mapTopTrade(trade);
    if (!mapped.ok) {
      await this.webhooks.record(delivery, 'rejected', mapped.reason);
      return 'rejected';
    }
    try {
      await this.webhooks.takeOrder(delivery, { ...mapped.value, channel: connector.name });
      return 'taken';
    } catch (error) {
      if (error instanceof ValidationError) return 'rejected'; // recorded by takeOrder; the other trades go on
      throw new PollFailure(`trade ${tid}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private renew(claimed: ClaimedCursor): Promise<boolean> {
    return this.ownUpdate(
      `UPDATE integration_poll_cursor SET locked_until = now() + make_interval(secs => $3) WHERE integration_id = $1 AND claim_token = $2`,
      [claimed.integrationId, claimed.token, POLL_LEASE_SECONDS],
    );
  }

  /** An update of the cursor row WHERE claim_token is ours; false when the lease was lost to another poller. */
  private async ownUpdate(statement: string, params: unknown[], manager: Queryable = this.db): Promise<boolean> {
    return (await queryRows(manager, `${statement} RETURNING 1 AS mine`, params)).length > 0;
  }

  /** The window is asked for again after a backoff (the poll interval, doubling, at most half an hour); a run of failures raises one alert. */
  private async failed(claimed: ClaimedCursor, connector: OpenedIntegration | null, reason: string): Promise<void> {
    const interval = connector ? topPollSettingsOf(connector.settings).pollIntervalSeconds : 60;
    const failures = claimed.failures + 1;
    const raise = failures >= ALERT_AFTER_FAILURES && !claimed.alertedAt;
    const name = connector?.name ?? claimed.integrationId;
    this.logger.warn(`connector ${name}: poll ${failures} in a row failed: ${reason}`);
    const moved = await this.db.transaction(async (manager) => {
      const updated = await this.ownUpdate(
        `UPDATE integration_poll_cursor SET failures = $3, polled_at = now(), claim_token = NULL, locked_until = NULL,
                next_poll_at = now() + make_interval(secs => $4), alerted_at = CASE WHEN $5 THEN now() ELSE alerted_at END
          WHERE integration_id = $1 AND claim_token = $2`,
        [claimed.integrationId, claimed.token, failures, backoffSeconds(failures, { baseSeconds: interval, capSeconds: Math.max(interval, 1800) }), raise],
        manager,
      );
      if (updated && raise) {
        await manager.query(`INSERT INTO system_alert (kind, reference, message) VALUES ($1, $2, $3)`, [
          POLL_FAILING_ALERT,
          `integration:${claimed.integrationId}`,
          `Connector ${name} could not poll its orders ${failures} times in a row; it keeps trying. Last error: ${reason}`.slice(0, 2000),
        ]);
      }
      return updated;
    });
    if (!moved) return; // the lease was lost: the poller that has it now speaks for the connector
    if (raise) this.logger.error(`connector ${name}: polling keeps failing (${failures} in a row), alert raised: ${reason}`);
    await this.integrations.noteResult(claimed.integrationId, `poll: ${reason}`);
  }
}
