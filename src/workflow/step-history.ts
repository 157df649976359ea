import type { HistoryEvent } from './engine-step';

/** process_activity rows a step inserts: its entries, closed already when they were left in the same step. */
export interface EnteredRow {
  element_id: string;
  element_type: string;
  name: string | null;
  execution_id: string;
  entered_at: Date;
  left_at: Date | null;
}

/** A leave that closes a row of an earlier step: the `rank`-th open row of its element, oldest first. */
export interface LeftEarlierRow {
  element_id: string;
  rank: number;
  left_at: Date;
}

/**
 * A step's history as rows: elements entered in this step (closed already when they were left in it too), and the
 * leaves that close rows of earlier steps. A leave closes its element's oldest open entry, as it always did: the rows
 * entered in earlier steps (`openBefore`, counted per element when the job was claimed) come first, then this step's.
 * A leave that finds nothing open (an element discarded without being entered) writes nothing.
 */
export function historyRows(history: HistoryEvent[], openBefore: Record<string, number>): { entered: EnteredRow[]; leftEarlier: LeftEarlierRow[] } {
  const entered: EnteredRow[] = [];
  const leftEarlier: LeftEarlierRow[] = [];
  const closedEarlier = new Map<string, number>();
  const openNow = new Map<string, number[]>(); // element → indexes into `entered`, oldest first
  for (const event of history) {
    if (event.kind === 'enter') {
      openNow.set(event.elementId, [...(openNow.get(event.elementId) ?? []), entered.length]);
      entered.push({ element_id: event.elementId, element_type: event.elementType, name: event.name, execution_id: event.executionId, entered_at: event.at, left_at: null });
      continue;
    }
    const closed = closedEarlier.get(event.elementId) ?? 0;
    if (closed < (openBefore[event.elementId] ?? 0)) {
      closedEarlier.set(event.elementId, closed + 1);
      leftEarlier.push({ element_id: event.elementId, rank: closed + 1, left_at: event.at });
      continue;
    }
    const index = openNow.get(event.elementId)?.shift();
    if (index !== undefined) entered[index].left_at = event.at;
  }
  return { entered, leftEarlier };
}
