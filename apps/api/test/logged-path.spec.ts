import { loggedPath } from '../src/logged-path';

describe('loggedPath', () => {
  it('keeps a path without its query', () => {
    expect(loggedPath('/v1/mailbox/letters?q=tax&folder=inbox')).toBe('/v1/mailbox/letters');
  });

  it('keeps neither the ticket nor the filename of a document view', () => {
    const url = '/v1/document-views/q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c/Skatt%20Ola.pdf';
    expect(loggedPath(url)).toBe('/v1/document-views/{ticket}/{filename}');
    expect(loggedPath(`${url}?x=1`)).toBe('/v1/document-views/{ticket}/{filename}');
    expect(loggedPath('/v1/document-views/q1w2e3')).toBe('/v1/document-views/{ticket}/{filename}');
  });
});
