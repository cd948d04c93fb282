export type ParsedTime = { isValid: true; iso: string } | { isValid: false; reason: string };

const RELATIVE = /^\+?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const TIME_FORMATS =
  'an ISO-8601 timestamp (2025-06-01T09:00:00Z), HH:MM today in local time (14:30), or a delay from now (+10m, +2h, +1h30m, +1d)';

/**
 * Parses a `%time` value into an ISO-8601 UTC timestamp: ISO-8601 dates and timestamps (a date or a
 * timestamp without an offset is local time), `HH:MM[:SS]` (today, local time, even if already past), and
 * delays `+NdNhNmNs` (the `+` may be left out; at least one part).
 */
export function parseTimeValue(value: string, now: Date): ParsedTime {
  const relative = RELATIVE.exec(value);
  if (relative && value.replace('+', '') !== '') {
    const [, days, hours, minutes, seconds] = relative;
    const milliseconds =
      ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 +
      Number(seconds ?? 0) * 1000;
    return { isValid: true, iso: new Date(now.getTime() + milliseconds).toISOString() };
  }
  const clock = CLOCK.exec(value);
  if (clock) {
    const hour = Number(clock[1]);
    const minute = Number(clock[2]);
    const second = Number(clock[3] ?? 0);
    if (hour > 23 || minute > 59 || second > 59) return { isValid: false, reason: 'no such time of day' };
    const date = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hour, minute, second);
    return { isValid: true, iso: date.toISOString() };
  }
  const iso = ISO.exec(value);
  if (iso) {
    const [, year, month, day, hour, minute, second, zone] = iso;
    const monthNumber = Number(month);
    const dayNumber = Number(day);
    const daysInMonth = new Date(Date.UTC(Number(year), monthNumber, 0)).getUTCDate();
    if (monthNumber < 1 || monthNumber > 12 || dayNumber < 1 || dayNumber > daysInMonth) {
      return { isValid: false, reason: 'no such date' };
    }
    if (Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) {
      return { isValid: false, reason: 'no such time of day' };
    }
    const text = hour === undefined ? `${value}T00:00:00` : zone ? value : value.replace(' ', 'T');
    const time = Date.parse(text);
    if (Number.isNaN(time)) return { isValid: false, reason: 'not a valid timestamp' };
    return { isValid: true, iso: new Date(time).toISOString() };
  }
  return { isValid: false, reason: 'unrecognized format' };
}
