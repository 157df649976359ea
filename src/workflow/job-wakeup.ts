import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../database/after-commit';

/**
 * Wakes this process's job workers as soon as a transaction that queued a job commits, instead of
 * waiting for the next poll. Other processes find the job on their next poll.
 */
@Injectable()
export class JobWakeup {
  private listeners: Array<() => void> = [];

  subscribe(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  wake(): void {
    for (const listener of this.listeners) listener();
  }

  /** Wakes after the surrounding transaction commits (or at once outside a transaction). */
  afterCommit(manager: EntityManager): void {
    afterCommit(manager, () => this.wake());
  }
}
