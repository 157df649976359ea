import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Permission } from '../../auth/permissions';
import { type TaskContext, TaskRefusedError, TaskTypeRegistry } from '../../workflow/task-type.registry';
import { AfterSalesService } from '../after-sales.service';

const caseIdOf = (context: TaskContext): string => {
  const caseId = context.variables.caseId;
  if (typeof caseId !== 'string') throw new Error(`<${context.elementId}> the process has no caseId variable`);
  return caseId;
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
const CASE_INPUT = { name: 'caseId', type: 'string', description: 'process variable' } as const;
const BY_INPUT = {
  name: 'task',
  type: 'string',
  description: 'element id of the user task whose decision this applies: the person who completed it must hold the permission too, and is recorded as the actor',
} as const;
/** The permissions of the API routes with the same effect (approve/reject/close, receive/inspect, refund). */
const CASE_WORK: Permission[] = ['aftersales.write'];
const WAREHOUSE_WORK: Permission[] = ['aftersales.warehouse'];
const REFUNDS: Permission[] = ['aftersales.refund'];

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
      permissions: CASE_WORK,
      handle: async (context) => {
        const approved = context.variables.approved === true;
        const caseId = await this.ownCaseOf(context);
        const view = approved
          ? await this.cases.approve(caseId, {}, context.actor, context.manager)
          : await this.cases.reject(caseId, text(context.variables.reason) ?? 'rejected in review', context.actor, context.manager);
        return { approved: view.status !== 'rejected' };
      },
    });
    this.registry.register({
      type: 'aftersales.receive',
      name: 'Apply the receipt',
      description: 'Records the returned goods as received (variables warehouse?, notes?).',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [],
      permissions: WAREHOUSE_WORK,
      handle: async (context) => {
        await this.cases.receive(await this.ownCaseOf(context), { warehouse: text(context.variables.warehouse), notes: text(context.variables.notes) }, context.actor, context.manager);
      },
    });
    this.registry.register({
      type: 'aftersales.inspect',
      name: 'Apply the QC result',
      description: 'Restocks passed goods through the stock ledger, quarantines failed ones (variables qcResult pass|fail, qcNotes?).',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [{ name: 'qcPassed', type: 'boolean', description: 'true when QC passed' }],
      permissions: WAREHOUSE_WORK,
      handle: async (context) => {
        const result = context.variables.qcResult === 'pass' ? 'pass' : 'fail';
        const view = await this.cases.inspect(await this.ownCaseOf(context), { result, notes: text(context.variables.qcNotes) }, context.actor, context.manager);
        return { qcPassed: view.inspection?.result === 'pass' };
      },
    });
    this.registry.register({
      type: 'aftersales.refund',
      name: 'Apply the refund',
      description: 'Records the refund finance made (variables refundAmount, refundReference?); never above what is left to refund.',
      inputs: [CASE_INPUT, BY_INPUT],
      outputs: [],
      permissions: REFUNDS,
      handle: async (context) => {
        const amount = text(context.variables.refundAmount);
        if (!amount) throw new TaskRefusedError(`the refund task was completed without refundAmount`);
        await this.cases.refund(await this.ownCaseOf(context), { amount, reference: text(context.variables.refundReference) }, context.actor, context.manager);
      },
    });
    this.registry.register({
      type: 'aftersales.reserve-replacement',
      name: 'Reserve a replacement',
      description: 'Reserves the case lines in one warehouse (allocation strategy of the settings) and creates their shipment.',
      inputs: [CASE_INPUT],
      outputs: [{ name: 'replacementReserved', type: 'boolean', description: 'false when no warehouse has every unit now' }],
      permissions: CASE_WORK,
      handle: async (context) => ({ replacementReserved: (await this.cases.reserveReplacement(context.manager, await this.ownCaseOf(context))).reserved }),
    });
    this.registry.register({
      type: 'aftersales.escalate',
      name: 'Escalate overdue case',
      description: 'Marks the case escalated: its current step is past its SLA (a boundary timer).',
      inputs: [CASE_INPUT],
      outputs: [{ name: 'escalated', type: 'boolean', description: 'false when the case was closed meanwhile' }],
      permissions: CASE_WORK,
      handle: async (context) => ({ escalated: await this.cases.escalate(context.manager, await this.ownCaseOf(context)) }),
    });
    this.registry.register({
      type: 'aftersales.close',
      name: 'Close case',
      description: 'Closes the case at the end of its path (refunded, replacement shipped, or QC failed).',
      inputs: [CASE_INPUT, { name: 'note', type: 'string', description: 'history note' }],
      outputs: [],
      permissions: CASE_WORK,
      handle: async (context) => {
        await this.cases.close(await this.ownCaseOf(context), text(context.input.note), context.actor, context.manager);
      },
    });
  }

  /** The case this instance was started for (the case records its instance): never one named by another instance's starter. */
  private async ownCaseOf(context: TaskContext): Promise<string> {
    const caseId = caseIdOf(context);
    const instanceId = await this.cases.processInstanceOf(caseId, context.manager);
    if (instanceId === undefined) throw new TaskRefusedError(`there is no after-sales case ${caseId}`);
    if (instanceId !== context.instanceId) throw new TaskRefusedError(`case ${caseId} belongs to another process instance; a step acts only on the case its instance was started for`);
    return caseId;
  }
}
