import { LETTER_EVENTS, LETTER_STATES, transition, type LetterState } from '#lifecycle';

const ack = { requiresAcknowledgement: true };
const noAck = { requiresAcknowledgement: false };

describe('letter lifecycle', () => {
  it('moves an accepted letter to delivered, rejected, print or withdrawn', () => {
    expect(transition('accepted', 'deliver', noAck)).toEqual({
      kind: 'moved',
      from: 'accepted',
      to: 'delivered',
    });
    expect(transition('accepted', 'reject', noAck)).toMatchObject({
      kind: 'moved',
      to: 'rejected',
    });
    expect(transition('accepted', 'forward_to_print', noAck)).toMatchObject({
      kind: 'moved',
      to: 'forwarded_to_print',
    });
    expect(transition('accepted', 'withdraw', noAck)).toMatchObject({
      kind: 'moved',
      to: 'withdrawn',
    });
  });

  it('marks a delivered letter read, and a read letter acknowledged when asked for', () => {
    expect(transition('delivered', 'read', noAck)).toMatchObject({ kind: 'moved', to: 'read' });
    expect(transition('read', 'acknowledge', ack)).toMatchObject({
      kind: 'moved',
      to: 'acknowledged',
    });
  });

  it('refuses to acknowledge an unread letter with letter.not_read', () => {
    expect(transition('delivered', 'acknowledge', ack)).toMatchObject({
      kind: 'refused',
      code: 'letter.not_read',
    });
  });

  it('refuses to acknowledge when the sender did not ask for it', () => {
    expect(transition('read', 'acknowledge', noAck)).toMatchObject({
      kind: 'refused',
      code: 'letter.acknowledgement_not_requested',
    });
  });

  it('treats acknowledging twice as a repeat, not an error', () => {
    expect(transition('acknowledged', 'acknowledge', ack)).toEqual({
      kind: 'unchanged',
      state: 'acknowledged',
    });
  });

  it('refuses withdrawal after delivery', () => {
    for (const state of ['delivered', 'read', 'acknowledged'] as const) {
      expect(transition(state, 'withdraw', noAck)).toMatchObject({
        code: 'letter.already_delivered',
      });
    }
  });

  it('keeps terminal states terminal', () => {
    for (const state of ['rejected', 'forwarded_to_print', 'withdrawn'] as LetterState[]) {
      for (const event of LETTER_EVENTS) {
        const result = transition(state, event, ack);
        expect(result.kind === 'moved').toBe(false);
      }
    }
  });

  it('never moves a letter backwards or skips read on the way to acknowledged', () => {
    const order = (s: LetterState) => LETTER_STATES.indexOf(s);
    for (const state of LETTER_STATES) {
      for (const event of LETTER_EVENTS) {
        const result = transition(state, event, ack);
        if (result.kind === 'moved') {
          expect(order(result.to)).toBeGreaterThan(order(state));
          if (result.to === 'acknowledged') expect(state).toBe('read');
        }
      }
    }
  });
});
