import { onStopSignal, REPEAT_WINDOW_MS } from './stopSignals';

describe('onStopSignal', () => {
  let exit: jest.SpyInstance;
  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });
  afterEach(() => exit.mockRestore());

  it('treats a repeat within the window as the same request, and a later one as "quit now"', () => {
    let clock = 1000;
    const first = jest.fn();
    const stop = onStopSignal(['SIGINT'], first, () => clock);
    try {
      process.emit('SIGINT', 'SIGINT');
      clock += 5; // the terminal's copy and the launcher's forwarded copy of one Ctrl-C
      process.emit('SIGINT', 'SIGINT');
      expect(first).toHaveBeenCalledTimes(1);
      expect(first).toHaveBeenCalledWith('SIGINT');
      expect(exit).not.toHaveBeenCalled();
      clock += REPEAT_WINDOW_MS;
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      stop();
    }
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
