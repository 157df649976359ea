import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Actor, SYSTEM_ACTOR } from '../../common/actor';
import { type TaskContext, TaskTypeRegistry } from '../../workflow/task-type.registry';
import { AfterSalesService } from '../after-sales.service';

const caseIdOf = (context: TaskContext): string => {
  const caseId = context.variables.caseId;
  if (typeof caseId !== 'string') throw new Error(`<${context.elementId}> the process has no caseId variable`);
  return caseId;
};

/** Who completed the tasklist task (input `task`: its element id) before this step; UserTasksService records `<elementId>_completedBy`. */
const actorOf = (context: TaskContext): Actor => {
  const by = context.input.task ? context.variables[`${context.input.task}_completedBy`] : undefined;
  return typeof by === 'string' && by ? { ...SYSTEM_ACTOR, name: by } : SYSTEM_ACTOR;
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
const CASE_INPUT = { name: 'caseId', type: 'string', description: 'process variable' } as const;
const BY_INPUT = { name: 'task', type: 'string', description: 'element id of the user task whose decision this applies (its completer is recorded as the actor)' } as const;

/**
 * The after-sales steps a diagram can call (workflows/after-sales.bpmn). The apply steps follow a tasklist task and carry
 * its decision to AfterSalesService; each does nothing when the case moved on already (safe to run twice).
 */
@Injectable()
export class AfterSalesTaskTypes implements OnModuleInit {
  constructor(
    private readonly registry: TaskTypeRegistry,
    private readonly cases: AfterSalesService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      type: 'aftersales.review',
      name: 'Apply the review',
      description: 'Approves or rejects the case as the review task decided (variables approved, reason).',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [{ name: 'approved', type: 'boolean', description: 'true when the case is approved' }],
      handle: async (context) => {
        const approved = context.variables.approved === true;
        const actor = actorOf(context);
        const view = approved
          ? await this.cases.approve(caseIdOf(context), {}, actor, true)
          : await this.cases.reject(caseIdOf(context), text(context.variables.reason) ?? 'rejected in review', actor, true);
        return { approved: view.status !== 'rejected' };
      },
    });
    this.registry.register({
      type: 'aftersales.receive',
      name: 'Apply the receipt',
      description: 'Records the returned goods as received (variables warehouse?, notes?).',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [],
      handle: async (context) => {
        await this.cases.receive(caseIdOf(context), { warehouse: text(context.variables.warehouse), notes: text(context.variables.notes) }, actorOf(context), true);
      },
    });
    this.registry.register({
      type: 'aftersales.inspect',
      name: 'Apply the QC result',
      description: 'Restocks passed goods through the stock ledger, quarantines failed ones (variables qcResult pass|fail, qcNotes?).',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [{ name: 'qcPassed', type: 'boolean', description: 'true when QC passed' }],
      handle: async (context) => {
        const result = context.variables.qcResult === 'pass' ? 'pass' : 'fail';
        const view = await this.cases.inspect(caseIdOf(context), { result, notes: text(context.variables.qcNotes) }, actorOf(context), true);
        return { qcPassed: view.inspection?.result === 'pass' };
      },
    });
    this.registry.register({
      type: 'aftersales.refund',
      name: 'Apply the refund',
      description: 'Records the refund finance made (variables refundAmount, refundReference?); never above what is left to refund.',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [],
      handle: async (context) => {
        const amount = text(context.variables.refundAmount);
        if (!amount) throw new Error(`<${context.elementId}> the refund task was completed without refundAmount`);
        await this.cases.refund(caseIdOf(context), { amount, reference: text(context.variables.refundReference) }, actorOf(context), true);
      },
    });
    this.registry.register({
      type: 'aftersales.reserve-replacement',
      name: 'Reserve a replacement',
      description: 'Reserves the case lines in one warehouse (allocation strategy of the settings) and creates their shipment.',
      inputs: [CASE_INPUT],
      outputs: [{ name: 'replacementReserved', type: 'boolean', description: 'false when no warehouse has every unit now' }],
      handle: async (context) => ({ replacementReserved: (await this.cases.reserveReplacement(caseIdOf(context))).reserved }),
    });
    this.registry.register({
      type: 'aftersales.escalate',
      name: 'Escalate overdue case',
      description: 'Marks the case escalated: its current step is past its SLA (a boundary timer).',
      inputs: [CASE_INPUT],
      outputs: [{ name: 'escalated', type: 'boolean', description: 'false when the case was closed meanwhile' }],
      handle: async (context) => ({ escalated: await this.cases.escalate(caseIdOf(context)) }),
    });
    this.registry.register({
      type: 'aftersales.close',
      name: 'Close case',
      description: 'Closes the case at the end of its path (refunded, replacement shipped, or QC failed).',
      inputs: [CASE_INPUT, { name: 'note', type: 'string', description: 'history note' }],
      outputs: [],
      handle: async (context) => {
        await this.cases.close(caseIdOf(context), text(context.input.note), SYSTEM_ACTOR, true);
      },
    });
  }
}
