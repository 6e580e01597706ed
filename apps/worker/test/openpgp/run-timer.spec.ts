import { RunTimer } from '../../src/openpgp/run-timer';

describe('RunTimer', () => {
  let clock = 0;
  const now = () => clock;

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
  });
  afterEach(() => jest.useRealTimers());

  const advance = (ms: number) => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };

  it('does not count the time a document waits for a thread', () => {
    const stopRun = jest.fn();
    const run = new RunTimer(1_000, stopRun, now);

    advance(60_000); // queued behind a burst of large documents
    run.start();
    advance(400); // its own run: well within the limit
    run.stop();
    advance(5_000);

    expect(stopRun).not.toHaveBeenCalled();
    expect(run.overrun()).toBeNull();
  });

  it('stops a run that goes past the limit, with a reason that states how long it ran', () => {
    const stopRun = jest.fn();
    const run = new RunTimer(1_000, stopRun, now);

    advance(30_000);
    run.start();
    advance(999);
    expect(stopRun).not.toHaveBeenCalled();
    advance(1);

    expect(stopRun).toHaveBeenCalledTimes(1);
    expect(run.overrun()).toMatchObject({
      code: 'openpgp.timeout',
      detail:
        'decrypting and verifying was stopped after running for 1000 ms, past the limit of 1000 ms',
    });
  });

  it('counts from the first start only, and not at all once the run has ended', () => {
    const stopRun = jest.fn();
    const run = new RunTimer(1_000, stopRun, now);
    run.start();
    advance(600);
    run.start();
    advance(400);
    expect(stopRun).toHaveBeenCalledTimes(1);

    const late = jest.fn();
    const ended = new RunTimer(1_000, late, now);
    ended.stop(); // the result arrived before the start signal
    ended.start();
    advance(2_000);
    expect(late).not.toHaveBeenCalled();
    expect(ended.overrun()).toBeNull();
  });
});
