import { Injectable } from '@nestjs/common';

/** An order as a task shows it: enough to decide without opening another page. */
export interface OrderSubject {
  kind: 'order';
  id: string;
  number: string;
  status: string;
  customer: { name: string; phone: string };
  lines: Array<{ sku: string; name: string; quantity: number; unitPrice: string }>;
  total: string;
  flags: Array<{ code: string; message: string }>;
}

/** An after-sales case as a task shows it, with the order it is about. */
export interface CaseSubject {
  kind: 'after_sales_case';
  id: string;
  number: string;
  type: string;
  status: string;
  reason: string;
  description: string | null;
  lines: Array<{ sku: string; name: string; quantity: number }>;
  refundable: string;
  order: { number: string; status: string; customer: { name: string; phone: string } };
}

export type TaskSubject = OrderSubject | CaseSubject;

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
