import { JsonStreamSplitter, type StreamedString } from '../src/json-stream';

const text: StreamedString<string> = {
  path: ['documents', '*', 'content'],
  startsWith: /[A-Za-z0-9+/]/,
  open: () => {
    let seen = '';
    return { write: (t) => (seen += Buffer.from(t).toString()), end: () => `<${seen}>` };
  },
};

/** Splits `json` at `cuts`, and puts what was streamed back where its placeholder stands. */
function split(json: string, cuts: number[]) {
  const splitter = new JsonStreamSplitter(text);
  const bytes = Buffer.from(json);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.write(bytes.subarray(from, cut));
    from = cut;
  }
  const rest = splitter.end();
  const value = JSON.parse(rest, (_, v: unknown) =>
    typeof v === 'string' && splitter.taken.has(v) ? splitter.taken.get(v) : v,
  ) as unknown;
  return { rest, value, taken: splitter.taken.size };
}

describe('the JSON stream splitter', () => {
  const body = JSON.stringify({
    title: 'a "quoted" \\ title with {braces} and [brackets]',
    documents: [
      { filename: 'a.pdf', content: 'QUJD+/90', signature: 'c2ln' },
      { content: '-----BEGIN PGP MESSAGE-----\n\nQUJD\n-----END PGP MESSAGE-----\n' },
      { nested: { content: 'notme' }, content: 'WFla\\/' },
    ],
    content: 'not at the path',
    æøå: ['content', { documents: [{ content: 'deeper' }] }],
  });

  it('takes only the values at the path that start like base64, however the body is cut', () => {
    const expected = JSON.parse(body) as { documents: { content: string }[] };
    expected.documents[0].content = '<QUJD+/90>';
    expected.documents[2].content = '<WFla\\/>';
    for (let a = 0; a <= Buffer.byteLength(body); a += 1) {
      const { value, taken, rest } = split(body, [a, Math.min(a + 3, Buffer.byteLength(body))]);
      expect(value).toEqual(expected);
      expect(taken).toBe(2);
      expect(rest).not.toContain('QUJD+/90');
    }
  });

  it('resolves escapes in what it streams, and refuses a bad one', () => {
    const escaped = '{"documents":[{"content":"QU\\/J\\u0044\\n"}]}';
    expect(split(escaped, [30]).value).toEqual({ documents: [{ content: '<QU/JD\n>' }] });
    expect(() => split('{"documents":[{"content":"QU\\x"}]}', [])).toThrow('bad escape');
    expect(() => split('{"documents":[{"content":"QUJD', [])).toThrow('inside a string');
  });

  it('leaves an escaped key alone, so JSON.parse sees the value as text', () => {
    const { value, taken } = split('{"documents":[{"cont\\u0065nt":"QUJD"}]}', []);
    expect(value).toEqual({ documents: [{ content: 'QUJD' }] });
    expect(taken).toBe(0);
  });
});
