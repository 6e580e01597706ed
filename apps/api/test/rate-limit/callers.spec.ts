import { callerOf, clientNetwork } from '../../src/rate-limit/callers';

const key = Buffer.alloc(32, 7);

describe('who a request is counted against', () => {
  it('counts an IPv6 client by its /64 and an IPv4 client by its address', () => {
    expect(clientNetwork('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::9')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientNetwork('192.0.2.1')).toBe('192.0.2.1');
  });

  it('counts an agency by its id, whichever of its keys is used', () => {
    const agency = (apiKeyId: string) =>
      callerOf(
        { kind: 'agency', agencyId: 'a1', name: 'A', scopes: [], apiKeyId },
        '192.0.2.1',
        key,
      );
    expect(agency('k1')).toEqual({ kind: 'agency', id: 'a1' });
    expect(agency('k2')).toEqual(agency('k1'));
  });

  it('counts a person by a pseudonym, never the identity number', () => {
    const citizen = callerOf(
      { kind: 'citizen', subject: 's', nationalId: '14838512470', name: 'K', administratorOf: [] },
      '192.0.2.1',
      key,
    );
    expect(citizen.kind).toBe('citizen');
    expect(citizen.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(citizen.id).not.toContain('14838512470');
    expect(callerOf(undefined, '192.0.2.1', key)).toEqual({ kind: 'anonymous', id: '192.0.2.1' });
  });
});
