/**
 * The progress page's numbers, before any drawing: the series the charts plot and the data tables list, and
 * the time window they share. Pure functions of a status snapshot, its history and the per-day marks, all in
 * UTC, so what is drawn is tested without a renderer.
 */
import type { StatusSnapshot } from './progress';

export const DAY_MS = 86_400_000;
/** The per-day bars cover at most this many days (the data table lists every day). */
export const MAX_BAR_DAYS = 90;

/** One `status` run, as the history recorded it. */
export interface StatusRun {
  readonly t: number;
  readonly users: number;
  readonly migrated: number;
  readonly pending: number;
  /** Legacy records without a flagged External ID user; null in a history line that lacks it. */
  readonly failed: number | null;
  readonly legacyMarked: number;
}

/** One UTC day of the legacy store's `migratedAt` marks. */
export interface MarkDay {
  /** `YYYY-MM-DD`, UTC. */
  readonly date: string;
  readonly migrations: number;
  /** Legacy records not yet marked migrated at the end of the day. */
  readonly notMarkedAtEnd: number;
}

export interface TimePoint {
  readonly t: number;
  readonly value: number;
}

/** The burn-down's x range, and what falls beyond its end. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
  /** The projection reaches 0 after `end` (it is cut at `end`). */
  readonly projectionBeyond: boolean;
  readonly deadlineBeyond: boolean;
}

/** Every status run, oldest first, the current one included once (a run repeated in the history counts once). */
export function statusRuns(history: readonly StatusSnapshot[], current: StatusSnapshot): StatusRun[] {
  const byTime = new Map<number, StatusRun>();
  for (const snapshot of [...history, current]) {
    const t = Date.parse(snapshot.generatedAt);
    const { users, migrated, pending, failed } = snapshot.totals;
    byTime.set(t, { t, users, migrated, pending, failed: typeof failed === 'number' ? failed : null, legacyMarked: snapshot.legacy?.migrated ?? 0 });
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

/**
 * Every UTC day from the first mark to today (or the last mark, if a clock ran ahead), days without a
 * migration included as 0 so an outage shows. Not-marked-at-end starts from all records minus those marked
 * without a timestamp (migrated before the record keeping, so before the first day).
 */
export function markDays(current: StatusSnapshot, perDay: ReadonlyMap<string, number>, now: number): MarkDay[] {
  const dates = [...perDay.keys()].sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  if (first === undefined || last === undefined) return [];
  const end = Math.max(dayStart(now), Date.parse(`${last}T00:00:00Z`));
  let notMarked = current.legacy.total - current.legacy.migratedWithoutTimestamp;
  const days: MarkDay[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += DAY_MS) {
    const date = isoDay(t);
    const migrations = perDay.get(date) ?? 0;
    notMarked -= migrations;
    days.push({ date, migrations, notMarkedAtEnd: notMarked });
  }
  return days;
}

/**
 * The legacy store's not-marked count as a step series: the level at the start of the first day, then the
 * level at the end of each day (at the next midnight, or now for today).
 */
export function legacyBurnDown(days: readonly MarkDay[], now: number): TimePoint[] {
  const first = days[0];
  if (first === undefined) return [];
  const points: TimePoint[] = [{ t: Date.parse(`${first.date}T00:00:00Z`), value: first.notMarkedAtEnd + first.migrations }];
  for (const day of days) points.push({ t: Math.min(now, Date.parse(`${day.date}T00:00:00Z`) + DAY_MS), value: day.notMarkedAtEnd });
  // Today's point sits at now; a day after now (a clock ahead) would double back, so it is left to the table.
  return points.filter((point, index) => index === 0 || point.t > (points[index - 1]?.t ?? -Infinity));
}

/** When the pending users reach 0 at the 7-day rate; undefined without a rate or with nobody pending. */
export function projectionEnd(current: StatusSnapshot, now: number): number | undefined {
  const { remaining, perDay } = current.eta;
  if (remaining <= 0 || perDay <= 0) return undefined;
  return now + (remaining / perDay) * DAY_MS;
}

/** How much further the burn-down looks ahead than it reaches back. */
export const MAX_FUTURE_TO_PAST = 2;

/**
 * The burn-down's window: from the first observation (at least a day back) to the projection's end or the
 * deadline, but never more than MAX_FUTURE_TO_PAST times further ahead than it reaches back, so a projection
 * years away cannot squeeze the history into a sliver: the history always keeps a third of the width.
 */
export function timeWindow(observed: readonly number[], now: number, projection: number | undefined, deadline: number | undefined): TimeWindow {
  const start = Math.min(now - DAY_MS, ...observed);
  const futureLimit = now + MAX_FUTURE_TO_PAST * (now - start);
  const wanted = Math.max(now, projection ?? now, deadline ?? now);
  const end = Math.min(wanted, futureLimit);
  return { start, end, projectionBeyond: projection !== undefined && projection > end, deadlineBeyond: deadline !== undefined && deadline > end };
}

/** The projection from now at the 7-day rate, cut at the window's end. */
export function projectionLine(current: StatusSnapshot, now: number, window: TimeWindow): TimePoint[] {
  const end = projectionEnd(current, now);
  if (end === undefined) return [];
  const { remaining, perDay } = current.eta;
  const until = Math.min(end, window.end);
  if (until <= now) return [];
  return [
    { t: now, value: remaining },
    { t: until, value: Math.max(0, remaining - (perDay * (until - now)) / DAY_MS) },
  ];
}

export function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM`, UTC. */
export function isoMinute(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

function dayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}
