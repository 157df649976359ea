import { restartDelayMs } from '../../../src/process/worker-supervisor';

describe('a crashed worker process is started again', () => {
  it('after 1 s, then twice as long for each crash in a row, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});
