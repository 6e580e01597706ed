import { StatusCheck } from './status-check';

describe('StatusCheck', () => {
  it('passes a pass whose answers were all 2xx', async () => {
    const check = new StatusCheck('document download');
    const body = await check.read(new Response('hello', { status: 200 }), '/a');
    expect(body.toString()).toBe('hello');
    expect(() => check.assertAllOk()).not.toThrow();
  });

  it('fails a pass with a 500, counting them and naming the first with its body', async () => {
    const check = new StatusCheck('document download');
    await check.read(new Response('ok', { status: 200 }), '/a');
    await check.read(new Response('{"title":"Internal error"}', { status: 500 }), '/b');
    await check.read(new Response('nope', { status: 404 }), '/c');
    expect(() => check.assertAllOk()).toThrow(
      'document download: 2 of 3 answers were not 2xx; the first was 500 for GET /b: {"title":"Internal error"}',
    );
  });
});
