import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../../audit/acting';
import { AuditService } from '../../audit/audit.service';
import { InvalidStateError, NotFoundError } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { runsWorkers } from '../../config/process-role';
import { afterCommit } from '../../database/after-commit';
import { retryWhileUnavailable } from '../../database/connection-errors';
import { DatabaseListener } from '../../database/database-listener';
import { queryOne, queryRows } from '../../database/sql';
import { backoffSeconds, WorkLoops } from '../../database/work-loops';
import { IntegrationsService } from '../integrations.service';
import { type ClaimedPush, PermanentPushError, type PushSender } from './push-sender';

/** What a change tells a connector (issue 15 item 1): written with the change, delivered by the sender loop. */
export interface OutboundPush {
  /** What it is (fulfilment, stock, wms-instruction …): with the connector's kind, it picks the sender. */
  topic: string;
  /**
   * Its identity within the connector. A `once` push (the default) is sent at most once per key, whatever retries queue it
   * again (`fulfilment:<shipment id>`); a `coalesce` push keeps one waiting row per key, rewritten by newer changes
   * (`stock:<sku>`), and is sent again when it changes after being sent.
   */
  key: string;
  coalesce?: boolean;
  /** The record it is about (an order or shipment number), shown beside it. */
  reference?: string;
  payload?: Record<string, unknown>;
}

export type PushStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface PushView {
  id: string;
  topic: string;
  key: string;
  reference: string | null;
  status: PushStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

export const PUSH_DEAD_ALERT = 'integration_push_dead';
/** How long a sender owns a push it is sending (a request times out after 30 s); after a crash another process takes it then. */
const PUSH_LEASE_SECONDS = 120;
const PUSH_COLUMNS = `id::text, topic, push_key AS key, reference, status, attempts, last_error AS "lastError",
  CASE WHEN status IN ('pending', 'sending') THEN next_attempt_at END AS "nextAttemptAt", created_at AS "createdAt", sent_at AS "sentAt"`;
const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
const toView = (row: PushView): PushView => ({ ...row, nextAttemptAt: iso(row.nextAttemptAt), createdAt: iso(row.createdAt)!, sentAt: iso(row.sentAt) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The outbound side of every connector (issue 15 item 1; DESIGN "Data rules", the transactional outbox): enqueue() writes
 * the push in the caller's transaction; a worker loop claims due pushes (FOR UPDATE SKIP LOCKED, under a lease), hands each
 * to the sender registered for its connector's kind and topic, and records the outcome: sent (the connector's last sync),
 * retried with backoff, or after the last attempt a dead letter with a system alert and the connector's last error. A
 * paused connector's pushes wait; pushes of one key go out in order, never two at once.
 */
@Injectable()
export class IntegrationPushesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IntegrationPushes');
  private readonly senders = new Map<string, PushSender>();
  private readonly loops: WorkLoops;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrations: IntegrationsService,
    private readonly audit: AuditService,
    private readonly database: DatabaseListener,
  ) {
    this.loops = new WorkLoops(this.logger, async () => ({ worked: await this.sendNext() }), config.INTEGRATION_PUSH_POLL_MS);
    database.subscribe('oms_integration_pushes', () => this.kick());
  }

  /** A module that talks to a kind of connector registers how it delivers a topic (at module init). */
  register(kind: string, topic: string, sender: PushSender): void {
    this.senders.set(`${kind}:${topic}`, sender);
  }

  /** Queues `push` to the connector in the caller's transaction; false when a `once` push of that key was queued before. */
  async enqueue(manager: EntityManager, integrationId: string, push: OutboundPush): Promise<boolean> {
    const values = [integrationId, push.topic, push.key.slice(0, 200), push.reference?.slice(0, 100) ?? null, JSON.stringify(push.payload ?? {})];
    const rows: unknown[] = push.coalesce
      ? await manager.query(
          `INSERT INTO integration_push (integration_id, topic, push_key, coalesce, reference, payload) VALUES ($1, $2, $3, true, $4, $5)
           ON CONFLICT (integration_id, push_key) WHERE coalesce AND status = 'pending'
           DO UPDATE SET payload = EXCLUDED.payload, reference = EXCLUDED.reference RETURNING id`,
          values,
        )
      : await manager.query(
          `INSERT INTO integration_push (integration_id, topic, push_key, reference, payload) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (integration_id, push_key) WHERE NOT coalesce DO NOTHING RETURNING id`,
          values,
        );
    if (rows.length === 0) return false;
    // once committed: this process's sender at once, the others through NOTIFY (their poll if that is lost)
    afterCommit(manager, () => {
      if (!this.kick()) this.database.notify('oms_integration_pushes');
    });
    return true;
  }

  /** A connector's pushes, newest first (GET /api/integrations/{id}/pushes). */
  async list(integrationId: string, status: PushStatus[] | undefined, offset: number, limit: number): Promise<{ items: PushView[]; total: number }> {
    await this.integrations.get(integrationId);
    const params = [integrationId, status ?? null];
    const where = `WHERE integration_id = $1 AND ($2::text[] IS NULL OR status = ANY($2))`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM integration_push ${where}`, params);
    const rows = await queryRows<PushView>(this.db, `SELECT ${PUSH_COLUMNS} FROM integration_push ${where} ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`, [...params, limit, offset]);
    return { items: rows.map(toView), total };
  }

  /** Sends a dead push again from its first attempt (after the cause was fixed); anything else → 409. */
  async retry(integrationId: string, pushId: string, by: Acting): Promise<PushView> {
    const row = UUID.test(integrationId) && /^\d{1,18}$/.test(pushId)
      ? await queryOne<{ id: string; status: PushStatus; coalesce: boolean }>(this.db, `SELECT id::text, status, coalesce FROM integration_push WHERE id = $1 AND integration_id = $2`, [pushId, integrationId])
      : undefined;
    if (!row) throw new NotFoundError('Push', pushId);
    if (row.status !== 'dead') throw new InvalidStateError(`Push ${pushId} is ${row.status}: only a dead push is sent again`);
    await this.db.transaction(async (manager) => {
      // a coalesced key with a newer waiting push needs no resend of the older one: the newer one says it
      const [, updated] = await manager.query(
        `UPDATE integration_push SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, dead_at = NULL
          WHERE id = $1 AND status = 'dead'
            AND NOT (coalesce AND EXISTS (SELECT 1 FROM integration_push w WHERE w.integration_id = $2 AND w.push_key = integration_push.push_key AND w.coalesce AND w.status = 'pending'))`,
        [pushId, integrationId],
      );
      if (!updated) throw new InvalidStateError(`Push ${pushId} has a newer push of the same key waiting: that one is sent instead`);
      await this.audit.record({ ...by, action: 'integration.push.retry', target: `integration:${integrationId}`, details: { push: pushId } }, manager);
      afterCommit(manager, () => {
        if (!this.kick()) this.database.notify('oms_integration_pushes');
      });
    });
    return toView((await queryOne<PushView>(this.db, `SELECT ${PUSH_COLUMNS} FROM integration_push WHERE id = $1`, [pushId]))!);
  }

  onApplicationBootstrap(): void {
    if (runsWorkers(this.config)) this.loops.start(1);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loops.stop(); // a push in progress finishes and is recorded
  }

  /** Wakes this process's sender; false when this process sends nothing (another process must be told). */
  kick(): boolean {
    return this.loops.kick();
  }

  /** Sends every due push now (tests); returns how many were attempted. */
  drain(): Promise<number> {
    return this.loops.drain();
  }

  private async sendNext(): Promise<boolean> {
    const push = await this.claim();
    if (!push) return false;
    await this.deliver(push);
    return true;
  }

  /**
   * The next due push of an active connector whose key has no other push in flight (so a newer stock level never overtakes
   * an older one), taken under a lease: a sender that crashes mid-request leaves it to another after PUSH_LEASE_SECONDS.
   */
  private claim(): Promise<ClaimedPush | undefined> {
    return queryOne<ClaimedPush>(
      this.db,
      `UPDATE integration_push SET status = 'sending', attempts = attempts + 1, locked_until = now() + make_interval(secs => $1)
        WHERE id = (SELECT p.id FROM integration_push p JOIN integration i ON i.id = p.integration_id AND i.status = 'active'
                     WHERE p.status IN ('pending', 'sending') AND p.next_attempt_at <= now() AND (p.locked_until IS NULL OR p.locked_until < now())
                       AND NOT EXISTS (SELECT 1 FROM integration_push o WHERE o.integration_id = p.integration_id AND o.push_key = p.push_key
                                         AND o.id < p.id AND o.status IN ('pending', 'sending'))
                     ORDER BY p.next_attempt_at, p.id LIMIT 1 FOR UPDATE OF p SKIP LOCKED)
        RETURNING id::text, integration_id AS "integrationId", topic, push_key AS key, reference, payload, attempts`,
      [PUSH_LEASE_SECONDS],
    );
  }

  private async deliver(push: ClaimedPush): Promise<void> {
    let secrets: string[] = [];
    try {
      const connector = await this.integrations.open(push.integrationId);
      secrets = Object.values(connector.secrets);
      const sender = this.senders.get(`${connector.kind}:${push.topic}`);
      if (!sender) throw new PermanentPushError(`nothing sends "${push.topic}" to a ${connector.kind} connector`);
      await sender(connector, push);
      // recorded through a database restart within the lease, else another sender would push it again once the lease ran out
      await retryWhileUnavailable(
        () => this.db.query(
          `UPDATE integration_push SET status = 'sent', sent_at = now(), last_error = NULL, locked_until = NULL WHERE id = $1 AND status = 'sending' AND attempts = $2`,
          [push.id, push.attempts],
        ),
        PUSH_LEASE_SECONDS * 1000,
      );
      await this.integrations.noteResult(push.integrationId, null);
    } catch (error) {
      await this.recordFailure(push, error, secrets);
    }
  }

  /** `secrets`: the connector's, blanked out of the reason (a provider may echo a token back in its error page). */
  private async recordFailure(push: ClaimedPush, error: unknown, secrets: string[]): Promise<void> {
    const dead = error instanceof PermanentPushError || push.attempts >= this.config.INTEGRATION_PUSH_MAX_ATTEMPTS;
    const quiet = error instanceof PermanentPushError && error.options.quiet === true;
    const failure = (error as Error)?.message ?? String(error);
    const reason = secrets.filter((secret) => secret.length >= 4).reduce((text, secret) => text.split(secret).join('[secret]'), failure).slice(0, 2000);
    const retrySeconds = backoffSeconds(push.attempts, { baseSeconds: this.config.INTEGRATION_PUSH_RETRY_MS / 1000, capSeconds: 3600 });
    const said = `push ${push.id} (${push.topic} ${push.reference ?? push.key}) attempt ${push.attempts} failed${dead ? ' (giving up)' : ''}: ${reason}`;
    if (quiet) this.logger.debug(said);
    else this.logger.warn(said);
    await this.db.query(
      `UPDATE integration_push SET status = $2::varchar, last_error = $3, locked_until = NULL, next_attempt_at = now() + make_interval(secs => $4),
              dead_at = CASE WHEN $2::varchar = 'dead' THEN now() END
        WHERE id = $1 AND status = 'sending' AND attempts = $5`,
      [push.id, dead ? 'dead' : 'pending', reason, retrySeconds, push.attempts],
    );
    if (quiet) return;
    await this.integrations.noteResult(push.integrationId, `${push.topic} ${push.reference ?? push.key}: ${reason}`);
    if (!dead) return;
    const message = `${push.topic} push ${push.reference ?? push.key} to connector ${push.integrationId} was given up after ${push.attempts} attempt(s): ${reason}`;
    await this.db.query(`INSERT INTO system_alert (kind, reference, message) VALUES ($1, $2, $3)`, [PUSH_DEAD_ALERT, push.reference, message.slice(0, 2000)]);
    this.logger.error(`dead letter: ${message}`);
  }
}
