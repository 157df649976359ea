import type { HistoryEvent } from '../../../src/workflow/engine-step';
import { historyRows } from '../../../src/workflow/step-history';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
const enter = (elementId: string, executionId: string, second: number): HistoryEvent => ({ kind: 'enter', elementId, elementType: 'bpmn:Task', name: null, executionId, at: at(second) });
const leave = (elementId: string, second: number): HistoryEvent => ({ kind: 'leave', elementId, at: at(second) });

/** A step's history becomes rows written in one statement; a leave still closes its element's oldest open entry. */
describe('historyRows', () => {
  it('an element entered and left in the step is one closed row; an element still waiting stays open', () => {
    const { entered, leftEarlier } = historyRows([enter('Start', 's1', 1), leave('Start', 2), enter('Wait', 'w1', 3)], {});
    expect(entered).toEqual([
      { element_id: 'Start', element_type: 'bpmn:Task', name: null, execution_id: 's1', entered_at: at(1), left_at: at(2) },
      { element_id: 'Wait', element_type: 'bpmn:Task', name: null, execution_id: 'w1', entered_at: at(3), left_at: null },
    ]);
    expect(leftEarlier).toEqual([]);
  });

  it('a leave closes a row of an earlier step first, then the rows of this step, oldest first', () => {
    // Wait was entered in an earlier step; the message loops back to it: left, re-entered, left again, re-entered
    const { entered, leftEarlier } = historyRows(
      [leave('Wait', 1), enter('Check', 'c1', 2), leave('Check', 3), enter('Wait', 'w2', 4), leave('Wait', 5), enter('Wait', 'w3', 6)],
      { Wait: 1 },
    );
    expect(leftEarlier).toEqual([{ element_id: 'Wait', rank: 1, left_at: at(1) }]);
    expect(entered.map((row) => [row.execution_id, row.left_at])).toEqual([['c1', at(3)], ['w2', at(5)], ['w3', null]]);
  });

  it('two open rows of an earlier step are closed in order (rank 1, then 2)', () => {
    const { leftEarlier, entered } = historyRows([leave('Remind', 1), leave('Remind', 2), leave('Remind', 3)], { Remind: 2 });
    expect(leftEarlier).toEqual([
      { element_id: 'Remind', rank: 1, left_at: at(1) },
      { element_id: 'Remind', rank: 2, left_at: at(2) },
    ]);
    expect(entered).toEqual([]);
  });

  it('a leave of an element discarded without being entered writes nothing', () => {
    expect(historyRows([leave('Task_AwaitPayment', 1), leave('End_Closed', 1)], {})).toEqual({ entered: [], leftEarlier: [] });
  });
});
