import type { AccessLogEntry } from './api';

/** Who an entry is about: an agency's own lookup, an auditor, a person acting for the mailbox, or an agency's notice. */
export type Who = 'all' | 'agency' | 'auditor' | 'person' | 'notice';

export interface AccessLogFilter {
  who: Who;
  /** An action code, or '' for every action. */
  action: string;
  /** Local dates (YYYY-MM-DD) from the date inputs, '' for open. */
  from: string;
  to: string;
}

export const NO_FILTER: AccessLogFilter = { who: 'all', action: '', from: '', to: '' };

function whoOf(entry: AccessLogEntry): Who {
  return entry.action.startsWith('notice.') ? 'notice' : entry.actor.kind;
}

/** The entries loaded so far that match (the API has no filters: this runs over what is loaded). */
export function filterEntries(
  entries: readonly AccessLogEntry[],
  filter: AccessLogFilter,
): AccessLogEntry[] {
  // Local midnight of `from`, and of the day after `to`: the date inputs speak the reader's days.
  const start = filter.from ? new Date(`${filter.from}T00:00`).getTime() : -Infinity;
  const end = filter.to ? new Date(`${filter.to}T00:00`).getTime() + 86_400_000 : Infinity;
  return entries.filter((e) => {
    const at = Date.parse(e.at);
    return (
      (filter.who === 'all' || whoOf(e) === filter.who) &&
      (!filter.action || e.action === filter.action) &&
      at >= start &&
      at < end
    );
  });
}
