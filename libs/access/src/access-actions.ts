/**
 * What a citizen's access log can say someone did. A closed list, so the response schema names
 * every code and the web client has a text for each in every language.
 */
export const ACCESS_ACTIONS = ['recipient.lookup', 'audit.letter_evidence'] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];
