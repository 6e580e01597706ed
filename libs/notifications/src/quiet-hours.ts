/** A daily window in local time, e.g. 22:00–07:00; `start === end` means no window. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

export function parseQuietHours(spec: string | null | undefined): QuietHours | null {
  if (!spec) return null;
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec.trim());
  if (!match) throw new Error(`quiet hours must be HH:MM-HH:MM, got "${spec}"`);
  const [h1, m1, h2, m2] = match.slice(1).map(Number);
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) throw new Error(`invalid quiet hours "${spec}"`);
  const window = { startMinute: h1 * 60 + m1, endMinute: h2 * 60 + m2 };
  return window.startMinute === window.endMinute ? null : window;
}

/** Minutes since local midnight in `timeZone` (IANA name), to the second. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute') + get('second') / 60;
}

/**
 * When a notification due at `now` may go out: `null` if now is outside the window, else the
 * end of the window. Quiet hours delay, they never drop. Across a daylight-saving change the
 * answer can be an hour early; the caller checks again then and waits the rest.
 */
export function quietHoursEnd(now: Date, window: QuietHours | null, timeZone: string): Date | null {
  if (!window) return null;
  let minute: number;
  try {
    minute = localMinutes(now, timeZone);
  } catch {
    minute = localMinutes(now, 'UTC');
  }
  const { startMinute: start, endMinute: end } = window;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  const untilEnd = (end - minute + 24 * 60) % (24 * 60);
  return new Date(now.getTime() + Math.ceil(untilEnd * 60_000));
}
