import { oneOf, text } from './columns';
import type { Sql } from './sql';

const queue = oneOf(['notify', 'remind'] as const);

/** Notification sends (one per letter and kind) and email confirmations. */
export class NotificationsStore {
  constructor(private readonly sql: Sql) {}

  /**
   * Delivered, unread letters whose email has no final outcome after `staleMs`, or whose
   * reminder is overdue by as much: the reconciler gives them their job again.
   */
  overdue(
    staleMs: number,
    dayMs: number,
    limit: number,
  ): Promise<{ letterId: string; queue: 'notify' | 'remind' }[]> {
    return this.sql.rows(
      `(SELECT l.id, 'notify' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL
           AND l.delivered_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'notify'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)
       UNION ALL
       (SELECT l.id, 'remind' AS queue FROM letters l
         WHERE l.state = 'delivered' AND l.read_at IS NULL AND l.reminder_after_days > 0
           AND l.delivered_at + make_interval(secs => l.reminder_after_days * $3::float8)
               < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM notification_sends s
                            WHERE s.letter_id = l.id AND s.kind = 'reminder'
                              AND s.state IN ('sent', 'failed'))
         ORDER BY l.delivered_at LIMIT $2)`,
      [staleMs / 1000, limit, dayMs / 1000],
      (r) => ({ letterId: text(r, 'id'), queue: queue(r, 'queue') }),
    );
  }
}
