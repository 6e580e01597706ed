import { parseQuietHours, quietHoursEnd } from '../src/quiet-hours';

describe('quiet hours', () => {
  const night = parseQuietHours('22:00-07:00');

  it('is off when unset or empty', () => {
    expect(parseQuietHours(undefined)).toBeNull();
    expect(parseQuietHours('08:00-08:00')).toBeNull();
    expect(quietHoursEnd(new Date(), null, 'Europe/Oslo')).toBeNull();
  });

  it('refuses a malformed window', () => {
    expect(() => parseQuietHours('22-07')).toThrow();
    expect(() => parseQuietHours('25:00-07:00')).toThrow();
  });

  it('delays until the end of a window that spans midnight, in the mailbox time zone', () => {
    // 23:30 in Oslo (UTC+1 in winter) is 22:30 UTC.
    const at = new Date('2026-01-15T22:30:00Z');
    expect(quietHoursEnd(at, night, 'Europe/Oslo')).toEqual(new Date('2026-01-16T06:00:00Z'));
    // The same instant is 17:30 in New York: outside the window.
    expect(quietHoursEnd(at, night, 'America/New_York')).toBeNull();
  });

  it('delays in the early morning too, and lets the window end exactly at its end', () => {
    const early = new Date('2026-01-16T05:15:00Z'); // 06:15 in Oslo
    expect(quietHoursEnd(early, night, 'Europe/Oslo')).toEqual(new Date('2026-01-16T06:00:00Z'));
    expect(quietHoursEnd(new Date('2026-01-16T06:00:00Z'), night, 'Europe/Oslo')).toBeNull();
  });

  it('handles a window within one day', () => {
    const lunch = parseQuietHours('12:00-13:00');
    expect(quietHoursEnd(new Date('2026-06-01T12:20:00Z'), lunch, 'UTC')).toEqual(
      new Date('2026-06-01T13:00:00Z'),
    );
    expect(quietHoursEnd(new Date('2026-06-01T13:20:00Z'), lunch, 'UTC')).toBeNull();
  });

  it('falls back to UTC for an unknown time zone rather than dropping the email', () => {
    const at = new Date('2026-01-15T23:00:00Z');
    expect(quietHoursEnd(at, night, 'Mars/Olympus')).toEqual(new Date('2026-01-16T07:00:00Z'));
  });
});
