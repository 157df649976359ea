import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../database/after-commit';
import { DatabaseListener } from '../database/database-listener';

/**
 * Wakes job workers as soon as a transaction that queued a job commits, instead of waiting for their next poll: this
 * process's at once, the other processes' through PostgreSQL NOTIFY on `oms_jobs` (DatabaseListener). Polling stays
 * for what no commit announces: timers and retries falling due, and wake-ups lost to a crash or a dropped connection.
 */
@Injectable()
export class JobWakeup {
  private listeners: Array<() => boolean> = [];

  constructor(private readonly database: DatabaseListener) {
    // another process queued a job, or we were deaf for a while and look once
    database.subscribe('oms_jobs', () => this.wake());
  }

  /** `listener` answers whether an idle worker of this process took the wake-up. */
  subscribe(listener: () => boolean): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /**
   * Wakes this process's workers (a job this process queued and committed, or one another process announced); true when an
   * idle one took it.
   */
  wake(): boolean {
    let taken = false;
    for (const listener of this.listeners) taken = listener() || taken;
    return taken;
  }

  /**
   * Jobs were queued and committed: an idle worker of this process takes them, else the other processes are told (a NOTIFY
   * is a round trip; while this process has a worker free, nobody else is needed).
   */
  announce(): void {
    if (!this.wake()) this.database.notify('oms_jobs');
  }

  /** After the surrounding transaction commits (or at once outside a transaction): wakes this process and tells the others. */
  afterCommit(manager: EntityManager): void {
    afterCommit(manager, () => this.announce());
  }
}
