/** After-sales case types and statuses of API.md, which status may follow which, and which path each type takes (G1.6). */
export const CASE_TYPES = ['return', 'exchange', 'refund_only', 'lost', 'damaged', 'wrong_item', 'missing_item'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

export const CASE_STATUSES = ['requested', 'approved', 'rejected', 'received', 'inspected', 'refunded', 'replacement_shipped', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  requested: ['approved', 'rejected', 'closed'],
  approved: ['received', 'refunded', 'replacement_shipped', 'closed'],
  rejected: ['closed'],
  received: ['inspected'],
  inspected: ['refunded', 'replacement_shipped', 'closed'],
  refunded: ['closed'],
  replacement_shipped: ['closed'],
  closed: [],
};

/** Statuses in which a case still waits for someone (the work queues; SLA applies). */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((status) => status !== 'closed');

/**
 * How a type is settled: whether the goods come back (receive + QC) first, and whether the customer gets money back or
 * goods sent again. Lost parcels and damaged goods are refunded on the evidence; missing items are simply sent.
 */
export interface CasePath {
  needsReturn: boolean;
  resolution: 'refund' | 'replacement';
}

export const CASE_PATHS: Record<CaseType, CasePath> = {
  return: { needsReturn: true, resolution: 'refund' },
  exchange: { needsReturn: true, resolution: 'replacement' },
  wrong_item: { needsReturn: true, resolution: 'replacement' },
  refund_only: { needsReturn: false, resolution: 'refund' },
  lost: { needsReturn: false, resolution: 'refund' },
  damaged: { needsReturn: false, resolution: 'refund' },
  missing_item: { needsReturn: false, resolution: 'replacement' },
};

/** Order statuses a case of this type may be opened for: goods must have left; a lost parcel is one still on its way. */
export const orderStatusesForCase = (type: CaseType): readonly string[] => (type === 'lost' ? ['shipped'] : ['shipped', 'delivered', 'completed']);

/** The settings' SLA key for the step a case in this status waits for (null: nothing is due). */
export function slaStepOf(status: CaseStatus, path: CasePath, qcPassed: boolean | null): 'review' | 'receive' | 'inspect' | 'refund' | 'replacement' | null {
  switch (status) {
    case 'requested':
      return 'review';
    case 'approved':
      return path.needsReturn ? 'receive' : path.resolution;
    case 'received':
      return 'inspect';
    case 'inspected':
      return qcPassed ? path.resolution : null;
    default:
      return null;
  }
}
