import { canonicalJson } from '../src/canonical';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, A: true })).toBe(
      '{"A":true,"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) by code units.
    expect(canonicalJson({ '😀': 1, '€': 2, '\r': 3 })).toBe('{"\\r":3,"€":2,"😀":1}');
  });

  it('writes numbers the ECMAScript way', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 333333333.3333333, 5e-324, 100])).toBe(
      '[1e+21,1e-7,0,0.1,333333333.3333333,5e-324,100]',
    );
  });

  it('escapes only what JSON requires', () => {
    expect(canonicalJson('ø\u0001"\\/\u2028')).toBe('"ø\\u0001\\"\\\\/\u2028"');
  });

  it('leaves out undefined object members, as JSON does', () => {
    expect(canonicalJson({ a: 1, kind: undefined })).toBe('{"a":1}');
  });

  it('throws for values JSON cannot represent', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow();
    expect(() => canonicalJson(NaN)).toThrow();
    expect(() => canonicalJson(Infinity)).toThrow();
    expect(() => canonicalJson('\ud800')).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ ['x\udfff']: 1 })).toThrow(/lone surrogate/);
    expect(() => canonicalJson(['😀'.slice(0, 1)])).toThrow(/lone surrogate/);
  });

  it('keeps surrogate pairs, and text that only looks like an escaped surrogate', () => {
    expect(canonicalJson('😀')).toBe('"😀"');
    expect(canonicalJson('\\ud800')).toBe('"\\\\ud800"');
    expect(canonicalJson('\\\ud83d\ude00')).toBe('"\\\\😀"');
  });
});
