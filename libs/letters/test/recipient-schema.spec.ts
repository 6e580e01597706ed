import { ZodPipe } from '#http';
import { batchLetterSchema, letterSubmissionSchema } from '../src/sending/submission-schema';

const base = {
  title: 'Vedtak',
  documents: [{ filename: 'vedtak.txt', mediaType: 'text/plain', content: 'x' }],
};
const pipe = new ZodPipe(letterSubmissionSchema);

function refusal(body: unknown): { status: number; code: string; detail: string } {
  try {
    pipe.transform(body);
  } catch (error) {
    return error as { status: number; code: string; detail: string };
  }
  throw new Error('the body was accepted');
}

describe("a letter's recipient", () => {
  it('is a person by national id or an organisation by number', () => {
    expect(pipe.transform({ ...base, recipient: { nationalId: '14838512470' } }).recipient).toEqual(
      { nationalId: '14838512470' },
    );
    expect(
      pipe.transform({ ...base, recipient: { organisationNumber: '974760673' } }).recipient,
    ).toEqual({ organisationNumber: '974760673' });
  });

  it.each([
    ['both', { nationalId: '14838512470', organisationNumber: '974760673' }],
    ['neither', {}],
    ['a number instead of a string', { organisationNumber: 974760673 }],
    ['an unknown field', { orgNumber: '974760673' }],
    ['a string instead of an object', '974760673'],
  ])('is refused with a clear 400 when it names %s', (_what, recipient) => {
    const error = refusal({ ...base, recipient });
    expect(error.status).toBe(400);
    expect(error.code).toBe('request.invalid_body');
    expect(error.detail).toContain(
      'recipient: must be {"nationalId": "…"} or {"organisationNumber": "…"}: exactly one of the two',
    );
  });

  it('says which field is wrong when the kind is clear but the value is not', () => {
    expect(refusal({ ...base, recipient: { organisationNumber: '' } }).detail).toMatch(
      /^recipient\.organisationNumber: /,
    );
  });

  it('takes the same shapes and a confidential flag in a batch letter', () => {
    const parsed = batchLetterSchema.parse({
      ...base,
      idempotencyKey: 'k-1',
      recipient: { organisationNumber: '974760673' },
      confidential: true,
    });
    expect(parsed).toMatchObject({
      recipient: { organisationNumber: '974760673' },
      confidential: true,
    });
    expect(
      batchLetterSchema.safeParse({
        ...base,
        idempotencyKey: 'k',
        recipient: { nationalId: '1' },
        confidential: 'yes',
      }).success,
    ).toBe(false);
  });
});
