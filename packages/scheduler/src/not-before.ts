import { SchedulerError } from './scheduler-error.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Resolves a `%time` value to an absolute time. Accepted forms:
 * - an ISO-8601 date or date-time (`2026-05-01`, `2026-05-01T18:30`, `2026-05-01T18:30:00Z`);
 * - a local wall-clock time `HH:MM` or `HH:MM:SS`: its next occurrence at or after `now` (so `02:00`
 *   given at 23:00 means tomorrow);
 * - a delay from `now`: `+90s`, `+10m`, `+2h`, `+1d` (the `+` is optional).
 */
export function parseNotBefore(value: string, now: Date = new Date()): Date {
  const text = value.trim();
  const relative = /^\+?(\d+)\s*([smhd])$/i.exec(text);
  if (relative) {
    return new Date(
      now.getTime() + Number(relative[1]) * (UNITS[(relative[2] as string).toLowerCase()] as number),
    );
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours < 24 && minutes < 60 && seconds < 60) {
      const time = new Date(now);
      time.setHours(hours, minutes, seconds, 0);
      if (time.getTime() < now.getTime() - 999) time.setDate(time.getDate() + 1);
      return time;
    }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw new SchedulerError(
    'TIME_INVALID',
    `invalid %time value ${JSON.stringify(value)}: write an ISO date-time (2026-05-01T18:30), a local ` +
      'time of day (18:30) or a delay (+10m, +2h, +90s, +1d)',
  );
}
