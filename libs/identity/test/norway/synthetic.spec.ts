import { norwegianNationalId } from '../../src/norway/norwegian-national-id';
import { makeSyntheticNorwegianId } from '../../src/norway/synthetic';

const testing = { allowSynthetic: true };

describe('makeSyntheticNorwegianId', () => {
  it('makes a Tenor number: month + 80, valid when synthetic numbers are allowed', () => {
    const id = makeSyntheticNorwegianId(new Date('1955-11-10T00:00:00Z'), 967, 'tenor');
    expect(id).toBe('10915596784');
    expect(norwegianNationalId.validate(id, testing)).toEqual({ ok: true });
  });

  it('makes a Dolly number: month + 40', () => {
    const id = makeSyntheticNorwegianId(new Date('1972-12-13T00:00:00Z'), 480, 'dolly');
    expect(id).toBe('13527248013');
  });

  it('is never accepted where synthetic numbers are not allowed', () => {
    const id = makeSyntheticNorwegianId(new Date('1990-01-01T00:00:00Z'), 123, 'tenor');
    expect(norwegianNationalId.validate(id, { allowSynthetic: false }).ok).toBe(false);
  });

  it('moves on to the next individual number when the control digit would be 10', () => {
    const birth = new Date('1972-09-13T00:00:00Z');
    const made = new Set<string>();
    for (let individual = 0; individual <= 400; individual++) {
      const id = makeSyntheticNorwegianId(birth, individual, 'tenor');
      expect(norwegianNationalId.validate(id, testing)).toEqual({ ok: true });
      expect(Number(id.slice(6, 9))).toBeGreaterThanOrEqual(individual);
      made.add(id);
    }
    // Some individual numbers were skipped, so fewer distinct numbers than inputs.
    expect(made.size).toBeLessThan(401);
    expect(made.size).toBeGreaterThan(300);
  });

  it('picks an individual number that encodes the birth century', () => {
    for (const iso of ['1860-06-01', '1925-06-01', '1985-06-01', '2024-02-29']) {
      const id = makeSyntheticNorwegianId(new Date(`${iso}T00:00:00Z`), 0, 'dolly');
      expect(norwegianNationalId.validate(id, testing)).toEqual({ ok: true });
    }
    expect(makeSyntheticNorwegianId(new Date('2024-02-29T00:00:00Z'), 0, 'dolly')).toMatch(
      /^2942245\d{4}$/,
    );
  });

  it('refuses birth years no individual number can encode, and bad input', () => {
    expect(() => makeSyntheticNorwegianId(new Date('1850-01-01T00:00:00Z'), 0, 'tenor')).toThrow(
      RangeError,
    );
    expect(() => makeSyntheticNorwegianId(new Date('2040-01-01T00:00:00Z'), 0, 'tenor')).toThrow(
      RangeError,
    );
    expect(() => makeSyntheticNorwegianId(new Date('x'), 0, 'tenor')).toThrow(RangeError);
    expect(() => makeSyntheticNorwegianId(new Date('1990-01-01'), 1000, 'tenor')).toThrow(
      RangeError,
    );
  });
});
