import { localApiUrl, readListenAddress } from '../src/load-config';

describe('localApiUrl', () => {
  it('reaches a wildcard bind on loopback and brackets an IPv6 host', () => {
    expect(localApiUrl({ host: '127.0.0.1', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(localApiUrl({ host: '0.0.0.0', port: 3100 })).toBe('http://127.0.0.1:3100');
    expect(localApiUrl({ host: '::', port: 3100 })).toBe('http://127.0.0.1:3100');
    expect(localApiUrl({ host: '::1', port: 3100 })).toBe('http://[::1]:3100');
  });
});

describe('readListenAddress', () => {
  it('reads HOST and PORT with the API’s defaults, and refuses a bad PORT in one line', () => {
    expect(readListenAddress({})).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(readListenAddress({ HOST: '0.0.0.0', PORT: '3100' })).toEqual({
      host: '0.0.0.0',
      port: 3100,
    });
    expect(() => readListenAddress({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT: /);
  });
});
