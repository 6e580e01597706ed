import { randomUUID } from 'node:crypto';
import { makeSyntheticNorwegianId } from '#identity';
import { createAgency, platformPublicKey, sealFor, type TestAgency } from '../../support/agency';
import { ApiClient } from '../../support/http';
import { inParallel } from '../../faults/support/fault-stack';
import { sleep } from './engines';
import { ClusterLayout, QUEUE_PREFIX } from './layout';

/**
 * The multi-node layout of docs/scaling.md, on loopback: the letter flow through HAProxy with
 * the citizen's and the sender's reads on the streaming replica, then letters under load while
 * one API, one worker and the Redis master that holds the queues are killed. Nothing may be
 * lost or doubled, and the clients may see no answer but 202 and 503 with Retry-After. The
 * figures it prints are recorded in docs/scaling.md.
 */
export function clusterScenario({ letters, clients }: { letters: number; clients: number }): void {
  const layout = new ClusterLayout();
  let api: ApiClient;
  let agency: TestAgency;
  let platformKey: string;
  const citizen = makeSyntheticNorwegianId(new Date('1971-05-17'), 417, 'tenor');

  beforeAll(async () => {
    await layout.start();
    api = new ApiClient(layout.baseUrl);
    platformKey = await platformPublicKey(layout);
    agency = await createAgency(layout, 'Klyngeetaten');
  }, 180_000);

  afterAll(() => layout.stop());

  async function letter(title: string, text = title) {
    return {
      recipient: { nationalId: citizen },
      title,
      senderReference: title,
      documents: [
        {
          filename: 'brev.txt',
          mediaType: 'text/plain',
          content: await sealFor(agency, platformKey, text),
        },
      ],
    };
  }

  function report(figures: Record<string, number | string>): void {
    const line = Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    // Printed on purpose: the figures are this suite's output (docs/scaling.md).
    process.stdout.write(`\n[cluster] ${line}\n`);
  }

  describe('the layout', () => {
    it('runs PgBouncer in transaction mode, a streaming replica and a Redis Cluster', async () => {
      expect(await layout.bouncer.poolModes()).toContain('transaction');
      expect(await layout.replica.isInRecovery()).toBe(true);
      expect(await layout.primary.isInRecovery()).toBe(false);
      const masters = layout.redis.nodes.filter((n) => layout.redis.isMaster(n));
      expect(masters).toHaveLength(3);
      report({ phase: 'boot', ...layout.bootSeconds });
    });
  });

  describe('a letter through HAProxy', () => {
    it('is accepted on the primary, delivered, and read by the citizen from the replica', async () => {
      const sender = api.as(agency.apiKey);
      const me = api.as(await layout.cli(['dev', 'token', '--citizen', citizen]));
      const inbox = async () =>
        ((await me.get('/v1/mailbox/letters')).body.items as { id: string }[]).map((l) => l.id);

      // With the replica's replay paused, what the replica answers is visibly behind the primary.
      await layout.replica.pauseReplay();
      let id: string;
      try {
        const body = await letter('Klynge-flyt-1', 'Vedtak levert gjennom klyngen.');
        const key = randomUUID();
        const submitted = await sender.post('/v1/letters', body, { 'idempotency-key': key });
        expect(submitted.status).toBe(202);
        id = submitted.body.id as string;
        // The idempotency check reads the primary: the repeat is the same letter, not a second.
        const repeated = await sender.post('/v1/letters', body, { 'idempotency-key': key });
        expect(repeated.status).toBe(202);
        expect(repeated.headers.get('idempotency-replayed')).toBe('true');
        expect(repeated.body.id).toBe(id);
        await api.waitFor(
          async () =>
            (
              await layout.query('SELECT 1 FROM letters WHERE id = $1 AND state = $2', [
                id,
                'delivered',
              ])
            ).length > 0,
          'delivery on the primary',
          30_000,
        );
        // The inbox list is the replica's: the delivered letter is not in it yet.
        expect(await inbox()).not.toContain(id);
        expect((await me.get('/v1/mailbox/summary')).body.unread).toBe(0);
        // A letter the replica has not seen is looked up on the primary, never "not found".
        expect((await sender.get(`/v1/letters/${id}`)).body.state).toBe('delivered');
      } finally {
        await layout.replica.resumeReplay();
      }

      // Replica lag is tolerated by waiting for it, as a client would by polling.
      await api.waitFor(async () => (await inbox()).includes(id), 'the letter on the replica');
      const shown = await me.get(`/v1/mailbox/letters/${id}`);
      expect(shown.status).toBe(200);
      const documentId = shown.body.documents[0].id as string;
      const read = await me.get(`/v1/mailbox/letters/${id}/documents/${documentId}`);
      expect(read.status).toBe(200);
      expect(read.body).toBe('Vedtak levert gjennom klyngen.');
      await sender.waitForState(id, 'read');
      // The event feed is the replica's too; in log order, without gaps.
      const events = await api.waitFor(async () => {
        const feed = await sender.get('/v1/events');
        const types = (feed.body.items as { letterId: string; type: string }[])
          .filter((e) => e.letterId === id)
          .map((e) => e.type);
        return types.includes('read') ? types : undefined;
      }, 'the read receipt in the event feed');
      // (No mail server answers in this layout: a `notification_failed` may come between.)
      expect(events.filter((t) => t !== 'notification_failed')).toEqual([
        'accepted',
        'delivered',
        'read',
      ]);
    });
  });

  describe('under load, one API, one worker and a Redis master killed', () => {
    it('delivers every letter exactly once; clients see only 202, 503 with Retry-After or a key in flight', async () => {
      const sender = api.as(agency.apiKey);
      const bodies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => letter('template', `Brev ${i} under last.`)),
      );
      const statuses = new Map<number, number>();
      let without503RetryAfter = 0;
      let networkErrors = 0;
      let answered = 0;
      const unexpected: string[] = [];
      const killedAt: Record<string, number> = {};
      const started = Date.now();

      const { master, replica } = layout.redis.ownerOf(QUEUE_PREFIX);
      let failoverMs = -1;
      const faults = (async () => {
        const at = async (share: number) => {
          while (answered < letters * share) await sleep(20);
        };
        await at(0.2);
        killedAt.api = Date.now();
        await layout.apis[0].stop('SIGKILL');
        await at(0.4);
        killedAt.worker = Date.now();
        await layout.workers[0].stop('SIGKILL');
        await at(0.6);
        killedAt.redisMaster = Date.now();
        await master.engine.kill();
        while (!(layout.redis.isMaster(replica) && layout.redis.stateOk(replica))) await sleep(50);
        failoverMs = Date.now() - killedAt.redisMaster;
      })();

      let maxLagSeconds = 0;
      let sampling = true;
      const lagSampler = (async () => {
        while (sampling) {
          maxLagSeconds = Math.max(maxLagSeconds, await layout.replica.replayLagSeconds());
          await sleep(250);
        }
      })();

      await inParallel(letters, clients, async (i) => {
        const title = `Klynge-last-${String(i).padStart(5, '0')}`;
        const body = { ...bodies[i % bodies.length], title, senderReference: title };
        const key = randomUUID();
        for (let attempt = 0; attempt < 300; attempt += 1) {
          const r = await sender
            .post('/v1/letters', body, { 'idempotency-key': key })
            .catch(() => null);
          if (!r) {
            networkErrors += 1;
            await sleep(200);
            continue;
          }
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 202) {
            answered += 1;
            return;
          }
          if (r.status === 503) {
            const after = Number(r.headers.get('retry-after'));
            if (!(after >= 1)) without503RetryAfter += 1;
            await sleep(Math.min(after || 1, 2) * 250);
            continue;
          }
          // HAProxy re-sent a request the killed API had taken while its transaction still held
          // the key: the API's documented answer for a key in flight, retried like a 503.
          if (r.status === 409 && r.body?.code === 'idempotency.in_flight') {
            await sleep(500);
            continue;
          }
          unexpected.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          return;
        }
        unexpected.push(`${title}: no answer after 300 attempts`);
      });
      const submittedMs = Date.now() - started;
      await faults;

      let deliveredIn: number;
      try {
        deliveredIn = await api.waitFor(
          async () => {
            const [row] = await layout.query<{ open: string }>(
              `SELECT count(*) FILTER (WHERE state = 'accepted') AS open FROM letters
                WHERE sender_reference LIKE 'Klynge-last-%'`,
            );
            return Number(row.open) === 0 ? Date.now() - started : undefined;
          },
          'every letter delivered',
          240_000,
        );
      } catch (error) {
        const stuck = await layout.query(
          `SELECT l.id, l.created_at, o.handed_over_at FROM letters l
             LEFT JOIN outbox o ON o.subject_id = l.id
            WHERE l.state = 'accepted' AND l.sender_reference LIKE 'Klynge-last-%'`,
        );
        // What the letters still waiting had, and what the processes said: the diagnosis.
        throw new Error(`${String(error)}\nstuck: ${JSON.stringify(stuck)}\n${layout.outputs()}`, {
          cause: error,
        });
      } finally {
        sampling = false;
        await lagSampler;
      }
      const [ledger] = await layout.query<Record<string, string>>(
        `SELECT count(*) AS letters,
                count(DISTINCT sender_reference) AS refs,
                count(*) FILTER (WHERE state = 'delivered') AS delivered,
                (SELECT count(*) FROM receipts r JOIN letters x ON x.id = r.letter_id
                  WHERE x.sender_reference LIKE 'Klynge-last-%' AND r.type = 'delivered') AS delivered_receipts,
                (SELECT count(*) FROM (SELECT 1 FROM receipts r JOIN letters x ON x.id = r.letter_id
                  WHERE x.sender_reference LIKE 'Klynge-last-%' GROUP BY r.letter_id, r.type, r.kind
                  HAVING count(*) > 1) d) AS doubled_receipts
           FROM letters WHERE sender_reference LIKE 'Klynge-last-%'`,
      );
      const n = (k: string) => Number(ledger[k]);
      report({
        phase: 'load',
        letters: letters,
        clients: clients,
        submitSeconds: (submittedMs / 1000).toFixed(1),
        submittedPerSecond: ((letters * 1000) / submittedMs).toFixed(1),
        allDeliveredSeconds: (deliveredIn / 1000).toFixed(1),
        deliveredPerSecond: ((letters * 1000) / deliveredIn).toFixed(1),
        redisFailoverSeconds: (failoverMs / 1000).toFixed(1),
        answers: [...statuses].map(([s, c]) => `${s}x${c}`).join(','),
        networkErrors,
        maxReplicaLagSeconds: maxLagSeconds.toFixed(2),
        lettersStored: n('letters'),
        delivered: n('delivered'),
        deliveredReceipts: n('delivered_receipts'),
        doubledReceipts: n('doubled_receipts'),
        // Background loop steps that did not settle in time (apps/worker/src/loops).
        overdueLoopSteps: layout.workers
          .map((w) => w.output().split('step still running').length - 1)
          .reduce((a, b) => a + b, 0),
      });

      expect(unexpected).toEqual([]);
      expect(networkErrors).toBe(0);
      expect(without503RetryAfter).toBe(0);
      expect([...statuses.keys()].every((s) => [202, 409, 503].includes(s))).toBe(true);
      expect(answered).toBe(letters);
      expect(n('letters')).toBe(letters);
      expect(n('refs')).toBe(letters);
      expect(n('delivered')).toBe(letters);
      expect(n('delivered_receipts')).toBe(letters);
      expect(n('doubled_receipts')).toBe(0);
      expect(failoverMs).toBeGreaterThan(0);
    });

    it('lets the surviving worker exit on SIGTERM after the failover, within its drain deadline', async () => {
      const worker = layout.workers[1];
      const seconds = await layout.drain(worker);
      // After a failover a queue worker's close sometimes never settles; the deadline ends it.
      const clean = !worker.output().includes('did not close in time');
      report({
        phase: 'shutdown',
        workerExitSeconds: seconds ?? 'killed',
        cleanDrain: clean ? 'yes' : 'no',
      });
      expect({ seconds, output: seconds === null ? worker.output().slice(-3_000) : '' }).toEqual({
        seconds: expect.any(Number),
        output: '',
      });
    });

    it('answers 503 problem+json with Retry-After from HAProxy when no API process is left', async () => {
      await Promise.all(layout.apis.map((p) => p.stop('SIGKILL')));
      const r = await api.as(agency.apiKey).get('/v1/letters/00000000-0000-7000-8000-000000000000');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    });
  });
}
