import { PostkasseClient, type BatchLetter } from './client';
import { PostkasseError } from './errors';

/** A client whose fetch records the request and answers `answer`. */
function recording(answer: unknown, status = 200) {
  const sent: { url: string; init: RequestInit }[] = [];
  const client = new PostkasseClient({
    baseUrl: 'https://api.example',
    apiKey: 'pk_test',
    fetch: async (url, init) => {
      sent.push({ url: String(url), init: init ?? {} });
      return new Response(JSON.stringify(answer), { status });
    },
    sleep: async () => undefined,
  });
  return { client, sent };
}

const letter = (key: string): BatchLetter => ({
  idempotencyKey: key,
  recipient: { nationalId: '14838512470' },
  title: 'Vedtak',
  documents: [
    { filename: 'a.txt', mediaType: 'text/plain', content: '-----BEGIN PGP MESSAGE-----' },
  ],
});

describe('sending a batch', () => {
  it('posts the letters in order under one key for the batch, as DESIGN "Batches" shapes it', async () => {
    const answer = { items: [{ idempotencyKey: 'a', status: 202, id: 'l1', state: 'accepted' }] };
    const { client, sent } = recording(answer);
    const result = await client.sendBatch([letter('a'), letter('b')], {
      idempotencyKey: 'batch-1',
    });
    expect(result).toEqual(answer);
    expect(sent[0].url).toBe('https://api.example/v1/letter-batches');
    expect(sent[0].init.method).toBe('POST');
    const headers = sent[0].init.headers as Record<string, string>;
    expect(headers['idempotency-key']).toBe('batch-1');
    const body = JSON.parse(String(sent[0].init.body)) as { letters: BatchLetter[] };
    expect(body.letters.map((l) => l.idempotencyKey)).toEqual(['a', 'b']);
    expect(body.letters[0]).toEqual(letter('a'));
  });

  it('refuses an empty batch, one over 500 letters, and letters that share a key, before sending', async () => {
    const { client, sent } = recording({});
    await expect(client.sendBatch([])).rejects.toThrow(PostkasseError);
    const many = Array.from({ length: 501 }, (_, i) => letter(String(i)));
    await expect(client.sendBatch(many)).rejects.toThrow(/1 to 500 letters/);
    await expect(client.sendBatch([letter('a'), letter('a')])).rejects.toThrow(/of its own/);
    expect(sent).toHaveLength(0);
  });
});

describe('retrying a batch', () => {
  const problem = (status: number, headers: Record<string, string>) =>
    new Response(JSON.stringify({ type: 'about:blank', title: 't', status, code: 'busy' }), {
      status,
      headers: { 'content-type': 'application/problem+json', ...headers },
    });

  it('backs off on 429 and 503 as told by Retry-After, with the same key and bytes each time', async () => {
    const answer = { items: [{ idempotencyKey: 'a', status: 202, id: 'l1', state: 'accepted' }] };
    const answers = [
      problem(429, { 'retry-after': '7' }),
      problem(503, { 'retry-after': '3' }),
      new Response(JSON.stringify(answer), { status: 200 }),
    ];
    const sent: { key: string; body: string }[] = [];
    const waits: number[] = [];
    const client = new PostkasseClient({
      baseUrl: 'https://api.example',
      fetch: async (_url, init) => {
        const headers = init?.headers as Record<string, string>;
        sent.push({ key: headers['idempotency-key'], body: String(init?.body) });
        return answers.shift()!;
      },
      sleep: async (ms) => void waits.push(ms),
      random: () => 0,
    });
    await expect(client.sendBatch([letter('a'), letter('b')])).resolves.toEqual(answer);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.key)).size).toBe(1);
    expect(sent[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(sent.map((s) => s.body)).size).toBe(1);
    expect(waits).toEqual([7000, 3000]);
  });
});

describe('reading the event feed', () => {
  it('resumes from the cursor it is given', async () => {
    const { client, sent } = recording({ items: [], nextCursor: 'c2' });
    await client.events('c1', 100);
    await client.events();
    expect(sent.map((s) => s.url)).toEqual([
      'https://api.example/v1/events?after=c1&limit=100',
      'https://api.example/v1/events',
    ]);
  });
});
