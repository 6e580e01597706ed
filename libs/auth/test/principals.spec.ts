import { SCOPES, parseScopes } from '../src/principals';

describe('parsing an API key scope list', () => {
  it('takes a comma-separated list in any order and returns it in the canonical order', () => {
    expect(parseScopes('recipients:lookup, letters:send,letters:send')).toEqual([
      'letters:send',
      'recipients:lookup',
    ]);
    expect(parseScopes(SCOPES.join(','))).toEqual([...SCOPES]);
  });

  it('refuses an unknown scope, naming it and the known ones', () => {
    expect(() => parseScopes('letters:send,letters:write')).toThrow(
      'unknown scope letters:write; known: letters:send, letters:read, recipients:lookup, webhooks:manage',
    );
  });

  it('refuses an empty list', () => {
    expect(() => parseScopes(' , ')).toThrow(/^no scopes given/);
  });
});
