import { Logger } from '@nestjs/common';
import { WorkLoops } from '../../../src/database/work-loops';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A queue of `items` drained by WorkLoops; `more` is what each claim answers about the rest of the queue. */
function queue(items: number, more: (left: number) => boolean | undefined) {
  const state = { left: items, claims: 0 };
  const runOnce = async () => {
    state.claims++;
    await Promise.resolve();
    if (state.left === 0) return { worked: false };
    state.left--;
    return { worked: true, more: more(state.left) };
  };
  return { state, runOnce };
}

describe('WorkLoops (issue 12: the job worker and the outbox share it)', () => {
  const logger = new Logger('test');

  it('after an item whose claim saw nothing else due, a loop sleeps instead of claiming again', async () => {
    const { state, runOnce } = queue(1, (left) => left > 0);
    const loops = new WorkLoops(logger, runOnce, 60_000);
    loops.start(1);
    await tick();
    expect(state).toEqual({ left: 0, claims: 1 });
    // work queued later wakes it
    state.left = 1;
    expect(loops.wakeOne()).toBe(true);
    await tick();
    expect(state).toEqual({ left: 0, claims: 2 });
    await loops.stop();
  });

  it('a claim that does not say (more undefined) is followed by another claim, until one finds nothing', async () => {
    const { state, runOnce } = queue(3, () => undefined);
    const loops = new WorkLoops(logger, runOnce, 60_000);
    loops.start(1);
    await tick();
    expect(state).toEqual({ left: 0, claims: 4 });
    await loops.stop();
  });

  it('a wake-up that came while every loop was busy is kept: the loop claims again instead of sleeping', async () => {
    const state = { left: 1, claims: 0 };
    const loops: WorkLoops = new WorkLoops(
      logger,
      async () => {
        state.claims++;
        if (state.left === 0) return { worked: false };
        state.left--;
        if (state.claims === 1) {
          // an item queued while this one runs: nobody asleep to wake
          state.left++;
          expect(loops.wakeOne()).toBe(false);
        }
        return { worked: true, more: false };
      },
      60_000,
    );
    loops.start(1);
    await tick();
    expect(state).toEqual({ left: 0, claims: 2 });
    await loops.stop();
  });

  it('kick() is false in a process that runs no loops (another must be told); drain() works the queue in the caller', async () => {
    const { state, runOnce } = queue(3, () => undefined);
    const loops = new WorkLoops(logger, runOnce, 60_000);
    expect(loops.kick()).toBe(false);
    expect(await loops.drain()).toBe(3);
    expect(state).toEqual({ left: 0, claims: 4 });
    loops.start(1);
    await tick();
    state.left = 1;
    expect(loops.kick()).toBe(true);
    await tick();
    expect(state.left).toBe(0);
    await loops.stop();
    expect(loops.kick()).toBe(false);
  });
});
