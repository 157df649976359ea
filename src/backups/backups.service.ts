import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, type ReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cron } from 'croner';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Acting } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { SYSTEM_ACTOR } from '../common/actor';
import { InvalidStateError, NotFoundError } from '../common/errors';
import { type Page, type PageQuery, pageWindow } from '../common/pagination';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { runsWorkers } from '../config/process-role';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';
import { queryRows } from '../database/sql';
import { SettingsService } from '../settings/settings.service';
import { type BackupKey, backupKeyFrom } from './backup-crypto';
import { restoreIntoScratch, takeBackup } from './backup-engine';
import { type BackupManifest, compareManifests } from './backup-manifest';

export type BackupKind = 'manual' | 'scheduled';
export type BackupStatus = 'running' | 'completed' | 'verified' | 'failed';

export interface Verification {
  status: 'running' | 'passed' | 'failed';
  startedAt: string;
  finishedAt?: string;
  by: string;
  tables?: number;
  differences?: string[];
  error?: string;
}

export interface BackupView {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  startedAt: string;
  finishedAt: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  error?: string;
  engine: 'postgresql' | 'pglite';
  encrypted: boolean;
  keyId: string | null;
  fileName: string | null;
  createdBy: string;
  verifiedAt: string | null;
  verification: Verification | null;
}

interface BackupRow {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  engine: 'postgresql' | 'pglite';
  file_name: string | null;
  key_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  size_bytes: string | null;
  sha256: string | null;
  error: string | null;
  manifest: BackupManifest | null;
  verification: Verification | null;
  verified_at: Date | null;
  created_by: string;
}

/** Advisory lock space of backups: a running backup or verification holds (BACKUP_LOCK, hashtext(id)) while its process lives. */
const BACKUP_LOCK = 7_300_013;
export const BACKUP_FAILED_ALERT = 'backup_failed';
const SCHEDULER_MAX_SLEEP_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;

const toView = (row: BackupRow): BackupView => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  sha256: row.sha256,
  ...(row.error ? { error: row.error } : {}),
  engine: row.engine,
  encrypted: row.key_id !== null,
  keyId: row.key_id,
  fileName: row.file_name,
  createdBy: row.created_by,
  verifiedAt: row.verified_at?.toISOString() ?? null,
  verification: row.verification,
});

/** `<file>.manifest.json` beside each backup: what the row records, so that the file tells what it holds on its own. */
export interface Sidecar {
  id: string;
  finishedAt: string;
  sizeBytes: number;
  sha256: string;
  keyId: string | null;
  manifest: BackupManifest;
}

async function readSidecar(path: string, id: string): Promise<Sidecar | null> {
  try {
    const sidecar = JSON.parse(await readFile(path, 'utf8')) as Sidecar;
    return sidecar.id === id && sidecar.manifest?.tables ? sidecar : null;
  } catch {
    return null;
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The session holding a running job's advisory lock (PostgreSQL), so that other processes can tell it is alive. */
interface Guard {
  release(): Promise<void>;
}

/**
 * Backups (G3.4, issue 13): taken, verified, listed, downloaded, deleted; scheduled by the `backups` settings. Every job
 * is a row first (status running) and runs in the process that created it, holding an advisory lock on PostgreSQL; a row
 * left running by a process that died (its lock is free) is marked failed and its temporary file removed. On the
 * embedded database the process is the only one, so whatever is running at start was interrupted.
 */
@Injectable()
export class BackupsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Backups');
  readonly dir: string;
  private readonly key: BackupKey | null;
  private readonly jobs = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastCheck = Date.now();
  private lastSweep = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_LOCATION) private readonly location: DatabaseLocation,
  ) {
    this.dir = resolve(config.BACKUP_DIR ?? join(config.DATA_DIR, 'backups'));
    this.key = config.BACKUP_KEY ? backupKeyFrom(config.BACKUP_KEY) : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepInterrupted();
    if (runsWorkers(this.config)) this.scheduleTick(1000);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.jobs]);
  }

  async list(query: PageQuery): Promise<Page<BackupView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const rows: BackupRow[] = await this.db.query(`SELECT * FROM backup ORDER BY started_at DESC, id LIMIT $1 OFFSET $2`, [pageSize, offset]);
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM backup`);
    return { items: rows.map(toView), page, pageSize, total };
  }

  async get(id: string): Promise<BackupView> {
    return toView(await this.row(id));
  }

  /** The newest backup that passed its verification, and when the schedule expects the next two (the dashboard tile). */
  async health(): Promise<{ lastVerified: BackupView | null; schedule: string | null; stale: boolean; periodMs: number | null }> {
    const [row] = await this.db.query(`SELECT * FROM backup WHERE verified_at IS NOT NULL AND status = 'verified' ORDER BY verified_at DESC LIMIT 1`);
    const { backups, timeZone } = await this.settings.get();
    let periodMs: number | null = null;
    if (backups.schedule) {
      const runs = new Cron(backups.schedule, { timezone: timeZone, paused: true }).nextRuns(2);
      if (runs.length === 2) periodMs = runs[1].getTime() - runs[0].getTime();
    }
    const lastVerified = row ? toView(row) : null;
    const age = lastVerified ? Date.now() - new Date(lastVerified.startedAt).getTime() : Infinity;
    return { lastVerified, schedule: backups.schedule, periodMs, stale: periodMs === null ? lastVerified === null : age > 2 * periodMs };
  }

  /** Starts a backup; it runs on in this process. A scheduled one for a slot another process already took → null. */
  async take(kind: BackupKind, by: Acting, slot?: Date): Promise<BackupView | null> {
    const id = randomUUID();
    const engine = this.location.embedded ? 'pglite' : 'postgresql';
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const fileName = `oms-${stamp}-${id.slice(0, 8)}.${engine === 'postgresql' ? 'dump' : 'tar.gz'}${this.key ? '.enc' : ''}`;
    const guard = await this.guard(id);
    let row: BackupRow | undefined;
    try {
      [row] = await this.db.query(
        `INSERT INTO backup (id, kind, slot, engine, file_name, created_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slot) DO NOTHING RETURNING *`,
        [id, kind, slot ?? null, engine, fileName, by.actor.name],
      );
      if (!row) {
        await guard.release();
        return null;
      }
      await this.audit.record({ ...by, action: 'backup.create', target: `backup:${id}`, details: { kind, ...(slot ? { slot: slot.toISOString() } : {}), encrypted: this.key !== null } });
    } catch (error) {
      await guard.release();
      throw error;
    }
    this.track(this.run(row, guard));
    return toView(row);
  }

  async verify(id: string, by: Acting): Promise<BackupView> {
    const guard = await this.guard(id);
    try {
      const verification: Verification = { status: 'running', startedAt: new Date().toISOString(), by: by.actor.name };
      const [row] = await queryRows<BackupRow>(
        this.db,
        `UPDATE backup SET verification = $2 WHERE id = $1 AND status <> 'running' AND sha256 IS NOT NULL
            AND coalesce(verification ->> 'status', '') <> 'running' RETURNING *`,
        [id, JSON.stringify(verification)],
      );
      if (!row) {
        const current = await this.row(id);
        throw new InvalidStateError(
          current.status === 'running' ? `backup ${id} is running: verify it once it is completed`
            : current.verification?.status === 'running' ? `backup ${id} is being verified already`
            : `backup ${id} is ${current.status} and has no file to verify`,
        );
      }
      await this.audit.record({ ...by, action: 'backup.verify', target: `backup:${id}` });
      this.track(this.runVerify(row, verification, guard));
      return toView(row);
    } catch (error) {
      await guard.release();
      throw error;
    }
  }

  /** The file, for download (audited). */
  async file(id: string, by: Acting): Promise<{ stream: ReadStream; name: string; sizeBytes: number }> {
    const row = await this.row(id);
    if (row.status === 'running' || !row.sha256 || !row.file_name) throw new InvalidStateError(`backup ${id} is ${row.status} and has no file to download`);
    const path = join(this.dir, row.file_name);
    const size = await stat(path).catch(() => null);
    if (!size) throw new InvalidStateError(`the file of backup ${id} is not in BACKUP_DIR of this server (${row.file_name})`);
    await this.audit.record({ ...by, action: 'backup.download', target: `backup:${id}`, details: { file: row.file_name, sizeBytes: size.size } });
    return { stream: createReadStream(path), name: row.file_name, sizeBytes: size.size };
  }

  async delete(id: string, by: Acting, reason?: string): Promise<void> {
    const [row] = await queryRows<BackupRow>(
      this.db,
      `DELETE FROM backup WHERE id = $1 AND status <> 'running' AND coalesce(verification ->> 'status', '') <> 'running' RETURNING *`,
      [id],
    );
    if (!row) {
      const current = await this.row(id);
      throw new InvalidStateError(`backup ${id} is ${current.verification?.status === 'running' ? 'being verified' : current.status}: delete it once that has finished`);
    }
    await this.removeFiles(row.file_name);
    await this.audit.record({ ...by, action: 'backup.delete', target: `backup:${id}`, details: { file: row.file_name, status: row.status, ...(reason ? { reason } : {}) } });
  }

  /** Marks failed what a dead process left running (its advisory lock is free), and removes its temporary file. */
  async sweepInterrupted(): Promise<void> {
    this.lastSweep = Date.now();
    const alive = this.location.embedded ? 'true' : `pg_try_advisory_xact_lock(${BACKUP_LOCK}, hashtext(id::text))`;
    const stale = await queryRows<{ id: string; file_name: string | null }>(
      this.db,
      `SELECT id, file_name FROM backup WHERE status = 'running' AND ${alive}`,
    );
    for (const { id, file_name: fileName } of stale) {
      // a database restored from a backup holds that backup's row as it was while the dump ran: its file tells it completed
      const done = fileName ? await readSidecar(join(this.dir, `${fileName}.manifest.json`), id) : null;
      if (done && existsSync(join(this.dir, fileName!))) {
        await this.db.query(
          `UPDATE backup SET status = 'completed', finished_at = $2, key_id = $3, size_bytes = $4, sha256 = $5, manifest = $6 WHERE id = $1 AND status = 'running'`,
          [id, done.finishedAt, done.keyId, done.sizeBytes, done.sha256, JSON.stringify(done.manifest)],
        );
        continue;
      }
      await this.db.query(
        `UPDATE backup SET status = 'failed', finished_at = now(), error = 'interrupted: the process taking it stopped before it was complete' WHERE id = $1 AND status = 'running'`,
        [id],
      );
      await rm(this.tempPath(id), { force: true });
      this.logger.warn(`backup ${id} was interrupted (its process stopped): marked failed`);
    }
    await this.db.query(
      `UPDATE backup SET verification = verification || jsonb_build_object('status', 'failed', 'finishedAt', now(), 'error', 'interrupted: the process verifying it stopped')
        WHERE verification ->> 'status' = 'running' AND ${alive}`,
    );
  }

  // ---------------------------------------------------------------------------------------------------------------------

  private async row(id: string): Promise<BackupRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('Backup', id);
    const [row] = await this.db.query(`SELECT * FROM backup WHERE id = $1`, [id]);
    if (!row) throw new NotFoundError('Backup', id);
    return row;
  }

  private tempPath(id: string): string {
    return join(this.dir, `.${id}.partial`);
  }

  private async removeFiles(fileName: string | null): Promise<void> {
    if (!fileName) return;
    await rm(join(this.dir, fileName), { force: true });
    await rm(join(this.dir, `${fileName}.manifest.json`), { force: true });
  }

  private track(job: Promise<void>): void {
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
  }

  private async guard(id: string): Promise<Guard> {
    if (this.location.embedded) return { release: async () => undefined };
    const client = new Client({ connectionString: this.location.url });
    await client.connect();
    client.on('error', () => undefined);
    try {
      const [{ locked }] = (await client.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [BACKUP_LOCK, id])).rows;
      if (!locked) throw new InvalidStateError(`backup ${id} is busy (being taken or verified)`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return { release: () => client.end().catch(() => undefined) };
  }

  private async run(row: BackupRow, guard: Guard): Promise<void> {
    const started = Date.now();
    const fileName = row.file_name!;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const source = this.location.pglite ? { engine: 'pglite' as const, db: this.location.pglite } : { engine: 'postgresql' as const, url: this.location.url };
      const taken = await takeBackup(source, { tempPath: this.tempPath(row.id), finalPath: join(this.dir, fileName) }, this.key, () => {
        // fault injection for the crash test: the whole file is written and fsync'd, not yet renamed
        if (this.config.FAULT_CRASH_DURING_BACKUP) process.kill(process.pid, 'SIGKILL');
      });
      const sidecar: Sidecar = { id: row.id, finishedAt: new Date().toISOString(), sizeBytes: taken.sizeBytes, sha256: taken.sha256, keyId: taken.keyId, manifest: taken.manifest };
      await writeFile(join(this.dir, `${fileName}.manifest.json`), JSON.stringify(sidecar, null, 2));
      await this.db.query(
        `UPDATE backup SET status = 'completed', finished_at = now(), file_name = $2, key_id = $3, size_bytes = $4, sha256 = $5, manifest = $6 WHERE id = $1`,
        [row.id, fileName, taken.keyId, taken.sizeBytes, taken.sha256, JSON.stringify(taken.manifest)],
      );
      this.logger.log(`backup ${row.id} completed: ${fileName}, ${taken.sizeBytes} bytes, ${Object.keys(taken.manifest.tables).length} tables, ${Date.now() - started} ms`);
      if (row.kind === 'scheduled') await this.applyRetention();
    } catch (error) {
      const message = (error as Error).message.slice(0, 3900);
      this.logger.error(`backup ${row.id} failed: ${message}`);
      await this.db.query(`UPDATE backup SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [row.id, message]).catch(() => undefined);
      await this.audit.record({ actor: SYSTEM_ACTOR, ip: null, action: 'backup.failed', target: `backup:${row.id}`, details: { kind: row.kind, error: message } }).catch(() => undefined);
      if (row.kind === 'scheduled') {
        await this.db
          .query(`INSERT INTO system_alert (kind, reference, message) VALUES ($1, $2, $3)`, [BACKUP_FAILED_ALERT, row.id, `Scheduled backup ${row.id} failed: ${message}`.slice(0, 2000)])
          .catch(() => undefined);
      }
    } finally {
      await guard.release();
    }
  }

  private async runVerify(row: BackupRow, verification: Verification, guard: Guard): Promise<void> {
    try {
      let outcome: Verification;
      try {
        if (!row.manifest) throw new Error('the backup has no manifest to compare with');
        const path = join(this.dir, row.file_name!);
        const differences: string[] = [];
        const sha256 = await fileSha256(path);
        if (sha256 !== row.sha256) differences.push(`the file's sha256 is ${sha256}, it was ${row.sha256} when the backup was taken`);
        const restored = await restoreIntoScratch(path, this.key, this.location.embedded ? null : this.location.url);
        differences.push(...compareManifests(row.manifest, restored));
        outcome = { ...verification, status: differences.length ? 'failed' : 'passed', finishedAt: new Date().toISOString(), tables: Object.keys(restored.tables).length, differences };
      } catch (error) {
        outcome = { ...verification, status: 'failed', finishedAt: new Date().toISOString(), error: (error as Error).message.slice(0, 2000) };
      }
      const passed = outcome.status === 'passed';
      const error = passed ? null : `verify failed: ${outcome.error ?? outcome.differences!.join('; ')}`.slice(0, 3900);
      await this.db.query(
        `UPDATE backup SET verification = $2, status = $3::varchar, error = $4, verified_at = CASE WHEN $3::varchar = 'verified' THEN now() ELSE verified_at END WHERE id = $1`,
        [row.id, JSON.stringify(outcome), passed ? 'verified' : 'failed', error],
      );
      this.logger[passed ? 'log' : 'error'](`backup ${row.id} ${passed ? 'verified' : error}`);
    } finally {
      await guard.release();
    }
  }

  /** Keeps the newest `keep` completed scheduled backups; manual ones stay until someone deletes them. */
  private async applyRetention(): Promise<void> {
    const { backups } = await this.settings.get();
    const old: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM backup WHERE kind = 'scheduled' AND status IN ('completed', 'verified') ORDER BY started_at DESC OFFSET $1`,
      [backups.keep],
    );
    for (const { id } of old) {
      await this.delete(id, { actor: SYSTEM_ACTOR, ip: null }, `retention: keep ${backups.keep}`).catch((error) => this.logger.warn(`retention could not delete backup ${id}: ${(error as Error).message}`));
    }
  }

  // the schedule ------------------------------------------------------------------------------------------------------

  private scheduleTick(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  /**
   * Takes the backup of a slot that fell due since the last look. Every process with workers looks; the slot's unique key
   * lets one of them take it. A slot missed while no process ran is not made up (the next one comes).
   */
  private async tick(): Promise<void> {
    let sleep = SCHEDULER_MAX_SLEEP_MS;
    try {
      if (!this.location.embedded && Date.now() - this.lastSweep > SWEEP_EVERY_MS) await this.sweepInterrupted();
      const { backups, timeZone } = await this.settings.get();
      const now = Date.now();
      if (backups.schedule) {
        const cron = new Cron(backups.schedule, { timezone: timeZone, paused: true });
        const due = cron.nextRun(new Date(this.lastCheck));
        if (due && due.getTime() <= now) {
          await this.take('scheduled', { actor: SYSTEM_ACTOR, ip: null }, due);
        }
        const next = cron.nextRun(new Date(now));
        if (next) sleep = Math.max(200, Math.min(SCHEDULER_MAX_SLEEP_MS, next.getTime() - Date.now() + 50));
      }
      this.lastCheck = now;
    } catch (error) {
      this.logger.warn(`the backup schedule could not be checked: ${(error as Error).message}`);
    }
    this.scheduleTick(sleep);
  }
}
