/**
 * One progress reporter for the long-running CLI commands (import-legacy, provision-users): a live bar
 * with rate and ETA on a terminal, and plain periodic lines where nobody watches a terminal (CI logs,
 * redirected output), so logs stay readable instead of filling with carriage returns.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Advances by `n` items (default 1); `counters` (e.g. `{ imported, rejected }`) replace the ones shown. */
  tick(n?: number, counters?: Record<string, number>): void;
  /** Draws the final state and releases the terminal line. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** Items expected, when known: enables the percentage and the ETA. */
  readonly total?: number;
  /** Names the work, e.g. `import-legacy`. */
  readonly label: string;
  /** Where to draw; default process.stderr, so stdout stays free for results. */
  readonly stream?: NodeJS.WriteStream;
  /** Plain mode: at most one line per this many milliseconds (default 5000). */
  readonly intervalMs?: number;
  /** Forces plain lines (true) or the bar (false); default: the bar only on a TTY outside CI. */
  readonly plain?: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const plain = options.plain ?? !(stream.isTTY === true && !isCi(process.env));
  return plain ? plainProgress(stream, options) : barProgress(stream, options);
}

/** GitHub Actions, Azure Pipelines, GitLab and most others set CI; Azure Pipelines sets TF_BUILD. */
function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI && env.CI !== 'false') || env.TF_BUILD === 'True';
}

interface State {
  value: number;
  counters: Record<string, number>;
  readonly startedAt: number;
}

function newState(): State {
  return { value: 0, counters: {}, startedAt: Date.now() };
}

function advance(state: State, n: number | undefined, counters: Record<string, number> | undefined): void {
  state.value += n ?? 1;
  if (counters) state.counters = { ...counters };
}

function ratePerSecond(state: State, now = Date.now()): number {
  const seconds = (now - state.startedAt) / 1000;
  return seconds > 0 ? state.value / seconds : 0;
}

function barProgress(stream: NodeJS.WriteStream, options: ProgressOptions): Progress {
  const total = options.total && options.total > 0 ? options.total : undefined;
  const format = total
    ? `${options.label} [{bar}] {percentage}% {value}/{total} | {rate}/s | ETA {eta_formatted} | {counters}`
    : `${options.label} {value} | {rate}/s | {counters}`;
  const bar = new SingleBar({
    format,
    stream,
    hideCursor: true,
    barsize: 30,
    etaBuffer: 50,
    // The command owns SIGINT (it stops cleanly after the current batch); the bar must not react itself.
    gracefulExit: false,
    linewrap: false,
  });
  const state = newState();
  const payload = () => ({ rate: formatCount(Math.round(ratePerSecond(state))), counters: formatCounters(state.counters) });
  bar.start(total ?? 0, 0, payload());
  let stopped = false;
  return {
    tick(n, counters) {
      if (stopped) return;
      advance(state, n, counters);
      // The total was an estimate (a line count): never let the bar run past it.
      if (total !== undefined && state.value > bar.getTotal()) bar.setTotal(state.value);
      bar.update(state.value, payload());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (total !== undefined) bar.setTotal(state.value);
      bar.update(state.value, payload());
      bar.stop();
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream, options: ProgressOptions): Progress {
  const intervalMs = options.intervalMs ?? 5000;
  const total = options.total && options.total > 0 ? options.total : undefined;
  const state = newState();
  let lastLineAt = state.startedAt;
  let stopped = false;

  const line = (final: boolean): string => {
    const now = Date.now();
    const rate = ratePerSecond(state, now);
    const parts = [`${options.label}: ${formatCount(state.value)}${total && !final ? `/${formatCount(total)} (${Math.min(100, Math.floor((state.value / total) * 100))}%)` : ''}`];
    parts.push(`${formatCount(Math.round(rate))}/s`);
    if (total && !final && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, total - state.value) / rate)}`);
    if (final) parts.push(`done in ${formatDuration((now - state.startedAt) / 1000)}`);
    const counters = formatCounters(state.counters);
    if (counters) parts.push(counters);
    return `${parts.join(', ')}\n`;
  };

  return {
    tick(n, counters) {
      if (stopped) return;
      advance(state, n, counters);
      const now = Date.now();
      if (now - lastLineAt >= intervalMs) {
        lastLineAt = now;
        stream.write(line(false));
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stream.write(line(true));
    },
  };
}

function formatCounters(counters: Record<string, number>): string {
  return Object.entries(counters)
    .map(([name, value]) => `${name} ${formatCount(value)}`)
    .join(', ');
}

/** 12,345: thousands separators without depending on the machine's locale. */
export function formatCount(n: number): string {
  return Math.trunc(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 0.4 s, 12 s, 3 min 20 s, 1 h 05 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
