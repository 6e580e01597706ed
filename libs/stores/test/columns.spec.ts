import { col, ColumnTypeError } from '#stores';

describe('column decoders', () => {
  it('reads a bigint that the driver hands back as a string', () => {
    expect(col.int({ log_index: '9007199254740991' }, 'log_index')).toBe(9007199254740991);
  });

  it('refuses a bigint past what a JavaScript number holds exactly', () => {
    expect(() => col.int({ n: '9007199254740993' }, 'n')).toThrow(ColumnTypeError);
  });

  it('names the column and the expected type when a value is missing', () => {
    expect(() => col.text({}, 'title')).toThrow('column title: expected text, got null');
  });

  it('keeps bytea as a Buffer and refuses a string in its place', () => {
    expect(col.bytes({ h: Buffer.from([1]) }, 'h')).toEqual(Buffer.from([1]));
    expect(() => col.bytes({ h: '\\x01' }, 'h')).toThrow(ColumnTypeError);
  });

  it('reads null through nullable and a timestamp as a Date', () => {
    expect(col.nullable(col.date)({ at: null }, 'at')).toBeNull();
    const at = new Date('2026-12-01T00:00:00Z');
    expect(col.nullable(col.date)({ at }, 'at')).toBe(at);
  });

  it('accepts only the members of a closed set', () => {
    const state = col.oneOf(['accepted', 'delivered'] as const);
    expect(state({ s: 'delivered' }, 's')).toBe('delivered');
    expect(() => state({ s: 'lost' }, 's')).toThrow('expected accepted | delivered');
  });
});
