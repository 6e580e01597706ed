import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { postToCheckedTarget } from '../../src/webhooks/webhook-request';
import { checkTarget, type Resolver } from '../../src/webhooks/webhook-target';

/** A resolver that answers `first` once and `later` ever after, as a rebinding name server does. */
function rebinding(first: string, later: string): Resolver & { calls: number } {
  const resolver = Object.assign(
    async () => {
      resolver.calls += 1;
      return [{ address: resolver.calls === 1 ? first : later }];
    },
    { calls: 0 },
  );
  return resolver;
}

async function listening<T extends Server>(server: T): Promise<T & { port: number }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

const close = (server: Server) => new Promise((r) => server.close(r));

async function deliver(url: URL, allowPrivate: boolean, resolver: Resolver, timeoutMs = 1_000) {
  const target = await checkTarget(url, allowPrivate, resolver);
  if (!target.ok) return { refused: target.reason };
  return postToCheckedTarget(url, target, { 'content-type': 'application/json' }, '{}', timeoutMs)
    .then((status) => ({ status, address: target.address }))
    .catch((error: Error) => ({ failed: error.message, address: target.address }));
}

describe('a webhook attempt', () => {
  it('connects to the address it checked, never to the loopback address DNS answers next', async () => {
    let connections = 0;
    const loopback = await listening(
      createTcpServer((socket) => (connections += 1) && socket.destroy()),
    );
    const resolver = rebinding('93.184.216.34', '127.0.0.1');
    try {
      // `localhost` would resolve to 127.0.0.1 for anyone asking the system resolver again.
      const outcome = await deliver(
        new URL(`https://localhost:${loopback.port}/hook`),
        false,
        resolver,
        300,
      );
      expect(outcome).toEqual({ failed: expect.any(String), address: '93.184.216.34' });
      expect(resolver.calls).toBe(1);
      expect(connections).toBe(0);
    } finally {
      await close(loopback);
    }
  });

  it('sends the request to the checked address with the URL name as Host', async () => {
    const seen: IncomingMessage[] = [];
    const receiver = await listening(
      createHttpServer((req, res) => {
        seen.push(req);
        res.writeHead(204).end();
      }),
    );
    // receiver.test does not exist in DNS: only the checked answer can have found the receiver.
    const resolver = rebinding('127.0.0.1', '192.0.2.1');
    try {
      const url = new URL(`http://receiver.test:${receiver.port}/hook?x=1`);
      expect(await deliver(url, true, resolver)).toEqual({ status: 204, address: '127.0.0.1' });
      expect(seen.map((r) => [r.method, r.url, r.headers.host])).toEqual([
        ['POST', '/hook?x=1', `receiver.test:${receiver.port}`],
      ]);
      expect(resolver.calls).toBe(1);
    } finally {
      await close(receiver);
    }
  });

  it("keeps the URL's name as the TLS server name while connecting to the checked address", async () => {
    const names: string[] = [];
    const tls = await listening(
      createTlsServer({
        SNICallback: (name, cb) => {
          names.push(name);
          cb(new Error('this test only looks at the server name'));
        },
      }),
    );
    try {
      const url = new URL(`https://receiver.test:${tls.port}/hook`);
      const outcome = await deliver(url, true, rebinding('127.0.0.1', '192.0.2.1'));
      expect(outcome).toEqual({ failed: expect.any(String), address: '127.0.0.1' });
      expect(names).toEqual(['receiver.test']);
    } finally {
      await close(tls);
    }
  });

  it('is refused before any connection when the name resolves to a private address', async () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::',
      '::ffff:10.0.0.1',
    ]) {
      const outcome = await deliver(
        new URL('https://hooks.example.org/'),
        false,
        rebinding(address, address),
      );
      expect(outcome).toEqual({
        refused: 'hooks.example.org resolves to a private or loopback address',
      });
    }
    const mixed: Resolver = async () => [{ address: '93.184.216.34' }, { address: '10.0.0.1' }];
    expect(await deliver(new URL('https://hooks.example.org/'), false, mixed)).toEqual({
      refused: 'hooks.example.org resolves to a private or loopback address',
    });
    const none: Resolver = async () => [];
    expect(await deliver(new URL('https://hooks.example.org/'), false, none)).toEqual({
      refused: 'hooks.example.org does not resolve',
    });
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    const silent = await listening(createTcpServer(() => undefined));
    try {
      const url = new URL(`http://receiver.test:${silent.port}/hook`);
      const outcome = await deliver(url, true, rebinding('127.0.0.1', '127.0.0.1'), 200);
      expect(outcome).toEqual({ failed: 'no answer within 200 ms', address: '127.0.0.1' });
    } finally {
      silent.close();
    }
  });
});
