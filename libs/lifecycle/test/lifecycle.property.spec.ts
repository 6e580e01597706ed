import fc from 'fast-check';
import {
  LETTER_EVENTS,
  LETTER_STATES,
  transition,
  type LetterEvent,
  type LetterState,
} from '#lifecycle';

const EVENTS = LETTER_EVENTS;
const TERMINAL: LetterState[] = ['rejected', 'forwarded_to_print', 'acknowledged', 'withdrawn'];
/** DESIGN "Letter lifecycle": the only transitions allowed. */
const ALLOWED = new Set([
  'accepted>delivered',
  'accepted>rejected',
  'accepted>forwarded_to_print',
  'accepted>withdrawn',
  'delivered>read',
  'read>acknowledged',
]);

const state = fc.constantFrom(...LETTER_STATES);
const event = fc.constantFrom(...EVENTS);
const facts = fc.record({ requiresAcknowledgement: fc.boolean() });

function walk(events: LetterEvent[], f: { requiresAcknowledgement: boolean }): LetterState {
  let s: LetterState = 'accepted';
  for (const e of events) {
    const r = transition(s, e, f);
    if (r.kind === 'moved') s = r.to;
  }
  return s;
}

describe('the letter lifecycle, for any state, event and sequence', () => {
  it('moves only along the transitions the design allows', () => {
    fc.assert(
      fc.property(state, event, facts, (s, e, f) => {
        const r = transition(s, e, f);
        if (r.kind === 'moved') {
          expect(r.from).toBe(s);
          expect(ALLOWED.has(`${s}>${r.to}`)).toBe(true);
        }
        if (r.kind === 'unchanged') expect(r.state).toBe(s);
        if (r.kind === 'refused') expect(r.code).toMatch(/^letter\./);
      }),
    );
  });

  it('changes nothing when the same event arrives twice (a job that runs again)', () => {
    fc.assert(
      fc.property(state, event, facts, (s, e, f) => {
        const first = transition(s, e, f);
        if (first.kind !== 'moved') return;
        expect(transition(first.to, e, f)).toEqual({ kind: 'unchanged', state: first.to });
      }),
    );
  });

  it('never leaves a terminal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TERMINAL), event, facts, (s, e, f) => {
        expect(transition(s, e, f).kind).not.toBe('moved');
      }),
    );
  });

  it('ends in the same state whether each event is delivered once or repeated', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), facts, (events, f) => {
        expect(
          walk(
            events.flatMap((e) => [e, e]),
            f,
          ),
        ).toBe(walk(events, f));
      }),
    );
  });

  it('acknowledges only letters that asked for it and were read, and never withdraws a delivered one', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), facts, (events, f) => {
        let s: LetterState = 'accepted';
        let wasRead = false;
        let wasDelivered = false;
        for (const e of events) {
          const r = transition(s, e, f);
          if (r.kind !== 'moved') continue;
          if (r.to === 'acknowledged') expect(f.requiresAcknowledgement && wasRead).toBe(true);
          if (r.to === 'withdrawn') expect(wasDelivered).toBe(false);
          if (r.to === 'read') expect(wasDelivered).toBe(true);
          s = r.to;
          wasDelivered ||= s === 'delivered';
          wasRead ||= s === 'read';
        }
      }),
    );
  });
});
