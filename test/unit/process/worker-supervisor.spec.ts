import { restartDelayMs, workerExecArgv } from '../../../src/process/worker-supervisor';

describe('a crashed worker process is started again', () => {
  it('after 1 s, then twice as long for each crash in a row, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('workerExecArgv: the heap limit of a forked worker (issue 12, worker RSS)', () => {
  it('adds the old-generation limit and keeps the young generation at 16 MB semi-spaces', () => {
    expect(workerExecArgv(['--enable-source-maps'], 192)).toEqual(['--enable-source-maps', '--max-old-space-size=192', '--max-semi-space-size=16']);
  });

  it('leaves a limit given on the command line, and V8\'s default for 0', () => {
    expect(workerExecArgv(['--max-old-space-size=512'], 192)).toEqual(['--max-old-space-size=512']);
    expect(workerExecArgv(['--max_old_space_size=512'], 192)).toEqual(['--max_old_space_size=512']);
    expect(workerExecArgv(['--inspect'], 0)).toEqual(['--inspect']);
    expect(workerExecArgv(['--max-semi-space-size=8'], 160)).toEqual(['--max-semi-space-size=8', '--max-old-space-size=160']);
  });
});
