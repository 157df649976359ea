import { Injectable } from '@nestjs/common';
import type { CaseSubject, OrderSubject, TaskSubject } from './task-subject-types';

export type { CaseSubject, OrderSubject, TaskSubject };

/** What a business area knows about an instance's subject, from its variables (`orderId`, `caseId` ...). */
export type TaskSubjectSource = (variables: Readonly<Record<string, unknown>>) => Promise<TaskSubject | null>;

/**
 * The case or order a user task concerns (issue 14 item 9): the tasklist shows it beside the form. The workflow runtime
 * knows no business area; the areas register how to describe their instances, most specific first (a case before its
 * order).
 */
@Injectable()
export class TaskSubjectRegistry {
  private readonly sources: Array<{ precedence: number; describe: TaskSubjectSource }> = [];

  /** Lower precedence is asked first. */
  register(precedence: number, describe: TaskSubjectSource): void {
    this.sources.push({ precedence, describe });
    this.sources.sort((a, b) => a.precedence - b.precedence);
  }

  async describe(variables: Readonly<Record<string, unknown>>): Promise<TaskSubject | null> {
    for (const source of this.sources) {
      const subject = await source.describe(variables);
      if (subject) return subject;
    }
    return null;
  }
}
