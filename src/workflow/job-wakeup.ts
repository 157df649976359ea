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
  private listeners: Array<() => void> = [];

  constructor(private readonly database: DatabaseListener) {
    // another process queued a job, or we were deaf for a while and look once
    database.subscribe('oms_jobs', () => this.wake());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /** Wakes this process's workers (a job this process queued and committed, or one another process announced). */
  wake(): void {
    for (const listener of this.listeners) listener();
  }

  /** Jobs were queued and committed: wakes this process and tells the others. */
  announce(): void {
    this.wake();
    this.database.notify('oms_jobs');
  }

  /** After the surrounding transaction commits (or at once outside a transaction): wakes this process and tells the others. */
  afterCommit(manager: EntityManager): void {
    afterCommit(manager, () => this.announce());
  }
}
