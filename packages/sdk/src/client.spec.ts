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
