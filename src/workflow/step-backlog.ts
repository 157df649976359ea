import { Injectable } from '@nestjs/common';
import { JobRepository } from './job-repository';

/** How long one measurement serves this process's requests. */
const MEASUREMENT_TTL_MS = 1000;

/**
 * The workflow step backlog: steps due now and not yet run. The truth is in PostgreSQL, shared by every process; each
 * process measures it at most once a second and its requests share that figure (a count per request would add load
 * exactly when there is too much). The count stops at the caller's limit (JobRepository.countDue).
 */
@Injectable()
export class StepBacklog {
  private measurement?: { at: number; atMost: number; due: Promise<number> };

  constructor(private readonly jobs: JobRepository) {}

  /** Steps due now, counted up to `atMost` (`atMost` means that many or more), as measured at most a second ago. */
  dueSteps(atMost: number): Promise<number> {
    const now = Date.now();
    const last = this.measurement;
    if (last && last.atMost === atMost && now - last.at < MEASUREMENT_TTL_MS) return last.due;
    const due = this.jobs.countDue(atMost);
    this.measurement = { at: now, atMost, due };
    // a failed count (the database out of reach) is not kept: the next request measures again
    due.catch(() => {
      if (this.measurement?.due === due) this.measurement = undefined;
    });
    return due;
  }
}
