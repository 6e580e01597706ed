/**
 * The letter lifecycle (DESIGN "Letter lifecycle"): the only place that knows which transitions
 * exist. Everything that changes a letter's state asks this function first, then makes the change
 * with a conditional update so that a second run changes nothing.
 */
export const LETTER_STATES = [
  'accepted',
  'rejected',
  'delivered',
  'forwarded_to_print',
  'read',
  'acknowledged',
  'withdrawn',
] as const;
export type LetterState = (typeof LETTER_STATES)[number];

export type LetterEvent =
  'reject' | 'deliver' | 'forward_to_print' | 'read' | 'acknowledge' | 'withdraw';

export const LETTER_EVENTS: readonly LetterEvent[] = [
  'reject',
  'deliver',
  'forward_to_print',
  'read',
  'acknowledge',
  'withdraw',
];

export interface LetterFacts {
  requiresAcknowledgement: boolean;
}

export type TransitionResult =
  | { kind: 'moved'; from: LetterState; to: LetterState }
  /** The event already happened: repeating it is not an error and changes nothing. */
  | { kind: 'unchanged'; state: LetterState }
  | { kind: 'refused'; code: string; detail: string };

/** The state an event leads to; its receipt has the same name (`deliver` → `delivered`). */
export const TARGET: Readonly<Record<LetterEvent, LetterState>> = {
  reject: 'rejected',
  deliver: 'delivered',
  forward_to_print: 'forwarded_to_print',
  read: 'read',
  acknowledge: 'acknowledged',
  withdraw: 'withdrawn',
};

const NEXT: Record<LetterState, readonly LetterState[]> = {
  accepted: ['delivered', 'rejected', 'forwarded_to_print', 'withdrawn'],
  rejected: [],
  delivered: ['read'],
  forwarded_to_print: [],
  read: ['acknowledged'],
  acknowledged: [],
  withdrawn: [],
};

/** States that imply an event already happened, so repeating it is a no-op. */
const ALREADY: Record<LetterEvent, readonly LetterState[]> = {
  reject: ['rejected'],
  deliver: ['delivered', 'read', 'acknowledged'],
  forward_to_print: ['forwarded_to_print'],
  read: ['read', 'acknowledged'],
  acknowledge: ['acknowledged'],
  withdraw: ['withdrawn'],
};

function refusal(state: LetterState, event: LetterEvent, facts: LetterFacts): TransitionResult {
  if (event === 'acknowledge') {
    if (!facts.requiresAcknowledgement) {
      return {
        kind: 'refused',
        code: 'letter.acknowledgement_not_requested',
        detail: 'The sender did not ask for this letter to be acknowledged',
      };
    }
    if (state === 'delivered') {
      return {
        kind: 'refused',
        code: 'letter.not_read',
        detail: 'Open a document of the letter before acknowledging it',
      };
    }
  }
  if (event === 'withdraw' && ['delivered', 'read', 'acknowledged'].includes(state)) {
    return {
      kind: 'refused',
      code: 'letter.already_delivered',
      detail: 'A letter cannot be withdrawn after it has been delivered',
    };
  }
  return {
    kind: 'refused',
    code: 'letter.invalid_transition',
    detail: `A letter that is ${state.replace(/_/g, ' ')} cannot be ${TARGET[event].replace(/_/g, ' ')}`,
  };
}

export function transition(
  state: LetterState,
  event: LetterEvent,
  facts: LetterFacts,
): TransitionResult {
  if (event === 'acknowledge' && !facts.requiresAcknowledgement)
    return refusal(state, event, facts);
  if (ALREADY[event].includes(state)) return { kind: 'unchanged', state };
  const to = TARGET[event];
  if (NEXT[state].includes(to)) return { kind: 'moved', from: state, to };
  return refusal(state, event, facts);
}

/** States in which the citizen can see the letter in their mailbox. */
export const VISIBLE_TO_CITIZEN: readonly LetterState[] = ['delivered', 'read', 'acknowledged'];
