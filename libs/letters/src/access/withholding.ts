import type { DataSource } from 'typeorm';
import type { Clock } from '#config';
import { DomainError, invalid } from '#errors';
import { AgenciesStore, Sql } from '#stores';

const DAY_MS = 86_400_000;

/** What a notice or a lookup may carry to be withheld from the citizen for a while. */
export interface WithholdingAsked {
  withheldUntil?: string;
  withholdReason?: string;
}

export interface WithholdingPolicy {
  maxDays: number;
  now: Date;
}

/**
 * The withholding a request asks for, checked: none, or an end in the future within the
 * configured maximum, with a reason. `field` names where it came from (`notices[3]`), so the
 * 400 names the item. Pure: the caller brings the agency's permission and the time.
 */
export function checkWithholding(
  asked: WithholdingAsked,
  field: string,
  policy: WithholdingPolicy,
): { until: Date; reason: string } | null {
  const prefix = field ? `${field}.` : '';
  if (asked.withheldUntil === undefined) {
    if (asked.withholdReason !== undefined)
      throw invalid(
        'access.withhold_reason_without_date',
        `${prefix}withholdReason is given without withheldUntil`,
      );
    return null;
  }
  const until = new Date(asked.withheldUntil);
  if (Number.isNaN(until.getTime()))
    throw invalid('access.withheld_until_invalid', `${prefix}withheldUntil is not a time`);
  if (!asked.withholdReason?.trim())
    throw invalid(
      'access.withhold_reason_missing',
      `${prefix}withholdReason is required with withheldUntil: the citizen reads it when the entry is released`,
    );
  if (until.getTime() <= policy.now.getTime())
    throw invalid('access.withheld_until_past', `${prefix}withheldUntil must be in the future`);
  const latest = policy.now.getTime() + policy.maxDays * DAY_MS;
  if (until.getTime() > latest)
    throw invalid(
      'access.withheld_too_long',
      `${prefix}withheldUntil is more than ${policy.maxDays} days ahead (ACCESS_WITHHOLD_MAX_DAYS)`,
    );
  return { until, reason: asked.withholdReason };
}

/** An agency without the operator's permission may not withhold anything: 403. */
export function assertMayWithhold(legalBasis: string | null): asserts legalBasis is string {
  if (legalBasis === null)
    throw new DomainError(
      403,
      'access.withholding_not_allowed',
      'This agency may not withhold access-log entries; an operator must allow it (agency allow-withholding)',
    );
}

/**
 * The rules as the writers of access-log entries (notices, lookups) apply them: the clock, the
 * configured maximum and the operator's permissions.
 */
export class WithholdingRules {
  private readonly agencies: AgenciesStore;

  constructor(
    db: DataSource,
    private readonly clock: Clock,
    private readonly maxDays: number,
  ) {
    this.agencies = new AgenciesStore(new Sql(db));
  }

  now(): Date {
    return this.clock.now();
  }

  check(asked: WithholdingAsked, field: string, now: Date) {
    return checkWithholding(asked, field, { now, maxDays: this.maxDays });
  }

  /** 403 unless an operator allowed the agency to withhold; in the caller's transaction. */
  async assertAllowed(tx: Sql, agencyId: string): Promise<void> {
    assertMayWithhold(await this.agencies.withholdingBasis(agencyId, tx));
  }
}
