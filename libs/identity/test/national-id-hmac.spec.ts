import { createHmac } from 'node:crypto';
import { nationalIdHmac, recipientRef } from '../src/national-id-hmac';

const pepper = Buffer.alloc(32, 1);
const refKey = Buffer.alloc(32, 2);

describe('nationalIdHmac', () => {
  it('is HMAC-SHA256 of the number under the pepper', () => {
    expect(nationalIdHmac(pepper, '13097248022')).toEqual(
      createHmac('sha256', pepper).update('13097248022').digest(),
    );
    expect(nationalIdHmac(pepper, '13097248022')).toHaveLength(32);
  });

  it('differs between numbers and between peppers', () => {
    const a = nationalIdHmac(pepper, '13097248022');
    expect(a.equals(nationalIdHmac(pepper, '29029648784'))).toBe(false);
    expect(a.equals(nationalIdHmac(Buffer.alloc(32, 3), '13097248022'))).toBe(false);
  });

  it('refuses a key too short to keep the small space of numbers from being searched', () => {
    expect(() => nationalIdHmac(Buffer.alloc(0), '13097248022')).toThrow(RangeError);
    expect(() => nationalIdHmac(Buffer.alloc(15), '13097248022')).toThrow(RangeError);
  });
});

describe('recipientRef', () => {
  it('is the base64url HMAC-SHA256 under its own key', () => {
    const ref = recipientRef(refKey, '13097248022');
    expect(ref).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(ref, 'base64url')).toEqual(
      createHmac('sha256', refKey).update('13097248022').digest(),
    );
  });

  it('does not reveal the database lookup value when the keys differ', () => {
    expect(recipientRef(refKey, '13097248022')).not.toBe(
      nationalIdHmac(pepper, '13097248022').toString('base64url'),
    );
  });
});
