import { DomainError } from '#errors';
import { assertMayWithhold, checkWithholding } from '../../src/access/withholding';

const now = new Date('2026-06-01T12:00:00.000Z');
const policy = { now, maxDays: 30 };
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();

function refusal(run: () => unknown): { status: number; code: string; detail: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('withholding an access-log entry', () => {
  it('asks for nothing unless withheldUntil is given', () => {
    expect(checkWithholding({}, 'notices[0]', policy)).toBeNull();
  });

  it('takes an end within the maximum, with its reason', () => {
    expect(
      checkWithholding({ withheldUntil: inDays(30), withholdReason: 'Investigation' }, '', policy),
    ).toEqual({ until: new Date(inDays(30)), reason: 'Investigation' });
  });

  it.each([
    [
      { withheldUntil: inDays(31), withholdReason: 'r' },
      'access.withheld_too_long',
      /more than 30 days/,
    ],
    [
      { withheldUntil: inDays(-1), withholdReason: 'r' },
      'access.withheld_until_past',
      /in the future/,
    ],
    [{ withheldUntil: inDays(1) }, 'access.withhold_reason_missing', /withholdReason is required/],
    [
      { withheldUntil: inDays(1), withholdReason: '  ' },
      'access.withhold_reason_missing',
      /required/,
    ],
    [{ withholdReason: 'r' }, 'access.withhold_reason_without_date', /without withheldUntil/],
  ])('refuses %j with a 400 naming the item', (asked, code, detail) => {
    const error = refusal(() => checkWithholding(asked, 'notices[3]', policy));
    expect(error).toMatchObject({ status: 400, code });
    expect(error.detail).toMatch(detail);
    expect(error.detail).toMatch(/^notices\[3\]\./);
  });

  it('is a 403 for an agency no operator allowed', () => {
    expect(refusal(() => assertMayWithhold(null))).toMatchObject({
      status: 403,
      code: 'access.withholding_not_allowed',
    });
    expect(() => assertMayWithhold('Police act § 1')).not.toThrow();
  });
});
