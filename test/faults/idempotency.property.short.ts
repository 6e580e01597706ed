import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { FaultStack, newNationalId, report } from './support/fault-stack';

/**
 * The idempotency store, as a property (issue 7): for any interleaving of submissions over a few
 * Idempotency-Keys and bodies, sequential or concurrent, the first body stored for a key wins;
 * the same body replays the same answer; another body is 422; a concurrent duplicate is 409 at
 * most; and the database holds exactly one letter per key that was ever answered 202.
 */
jest.setTimeout(180_000);

const stack = new FaultStack();
let citizen: string;

beforeAll(async () => {
  await stack.boot({ smtp: false });
  citizen = newNationalId();
});
afterAll(() => stack.shutdown());

const command = fc.record({
  key: fc.integer({ min: 0, max: 3 }),
  body: fc.integer({ min: 0, max: 1 }),
  together: fc.integer({ min: 1, max: 3 }),
});

it('keeps exactly one letter per key and replays its first answer', async () => {
  let run = 0;
  let requests = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
      run += 1;
      const prefix = `IP-${run}-${randomUUID().slice(0, 8)}-`;
      const keys = [0, 1, 2, 3].map(() => randomUUID());
      const bodies = new Map<string, unknown>();
      const bodyFor = async (key: number, variant: number) => {
        const id = `${key}/${variant}`;
        if (!bodies.has(id))
          bodies.set(id, await stack.letterBody(citizen, `${prefix}${key}-${variant}`, variant));
        return bodies.get(id);
      };
      const first = new Map<number, { variant: number; id: string }>();
      for (const c of commands) {
        const body = await bodyFor(c.key, c.body);
        const answers = await Promise.all(
          Array.from({ length: c.together }, () => stack.submit(body, keys[c.key])),
        );
        requests += answers.length;
        for (const a of answers) {
          const known = first.get(c.key);
          if (a.status === 202) {
            if (known) {
              expect(known.variant).toBe(c.body);
              expect(a.body.id).toBe(known.id);
            } else first.set(c.key, { variant: c.body, id: a.body.id as string });
          } else if (a.status === 422) {
            expect(a.body.code).toBe('idempotency.key_reused');
          } else {
            // Only a request racing another with the same key may be told to wait.
            expect([a.status, c.together > 1]).toEqual([409, true]);
          }
        }
        // Settle who won before judging the 422s of the same round.
        const won = first.get(c.key);
        for (const a of answers)
          if (a.status === 422) expect(won && won.variant !== c.body).toBe(true);
      }
      const rows = await stack.query<{ ref: string; n: string }>(
        `SELECT sender_reference AS ref, count(*) AS n FROM letters
          WHERE sender_reference LIKE $1 GROUP BY sender_reference`,
        [`${prefix}%`],
      );
      expect(rows.map((r) => Number(r.n)).every((n) => n === 1)).toBe(true);
      expect(rows.map((r) => r.ref).sort()).toEqual(
        [...first.entries()].map(([k, v]) => `${prefix}${k}-${v.variant}`).sort(),
      );
    }),
    { numRuns: Number(process.env.FAULT_PROPERTY_RUNS ?? 20) },
  );
  report('idempotency property', { runs: run, requests });
});
