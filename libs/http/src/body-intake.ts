import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '#errors';
import { isJsonBody, notJsonBody, readInto, refuse, type HashedBody } from './json-body';
import type { StreamedString } from './json-stream';

/** A route that takes large bodies (letters), and who may send one. */
export interface LargeBodyRoute {
  method: string;
  /** The path, where a `:name` segment stands for any one segment (a letter's id). */
  path: string;
  /** Throws (401, 403) unless the request's credentials may use the route. */
  admit: (req: Request) => Promise<unknown>;
  /** The large strings of its body (documents), decoded as they stream in. */
  streamed?: StreamedString<unknown>;
}

export interface BodyIntakeOptions {
  /**
   * Below this path (the JSON API) a body that is not JSON is refused with 415; elsewhere (the
   * development issuer's HTML forms) it is left to the route.
   */
  jsonOnlyUnder: string;
  /** Every route but the large ones (bytes). */
  limit: number;
  large: { limit: number; routes: readonly LargeBodyRoute[]; slots: BodySlots };
}

/**
 * Which body limit applies is decided before a byte is read: the routes that take letters get
 * the large limit, only for a caller they admit and only while a slot is free; every other
 * route, the health checks included, gets the small one. So an unauthenticated client cannot
 * make the API hold 60 MB, and agencies together hold at most `slots` letters at a time.
 */
export function bodyIntake(options: BodyIntakeOptions) {
  const large = options.large.routes.map((r) => ({ route: r, pattern: routePattern(r) }));
  return (req: Request & HashedBody, res: Response, next: NextFunction): void => {
    if (!isJsonBody(req)) {
      const refused = req.path.startsWith(options.jsonOnlyUnder) ? notJsonBody(req) : null;
      return refused ? refuse(req, refused, next) : next();
    }
    const key = `${req.method} ${req.path.replace(/\/$/, '')}`;
    const route = large.find((r) => r.pattern.test(key))?.route;
    if (!route) return readInto(req, { limit: options.limit }, next);
    route
      .admit(req)
      .then(() => (takesSlot(req) ? options.large.slots.acquire() : () => undefined))
      .then(
        (release) => {
          res.once('close', release);
          readInto(req, { limit: options.large.limit, streamed: route.streamed }, next);
        },
        (error: unknown) => {
          if (error instanceof SlotsBusyError)
            res.setHeader('Retry-After', error.retryAfterSeconds);
          refuse(req, error, next);
        },
      );
  };
}

function routePattern(route: LargeBodyRoute): RegExp {
  const segments = route.path
    .split('/')
    .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${route.method} ${segments.join('/')}$`);
}

/**
 * Letters of a few hundred kilobytes (nearly all of them) do not wait for a slot; bodies of
 * unknown length might be large, so they do.
 */
const UNCOUNTED_BYTES = 1024 * 1024;

function takesSlot(req: Request): boolean {
  const declared = Number(req.headers['content-length']);
  return (
    req.headers['transfer-encoding'] !== undefined ||
    req.headers['content-encoding'] !== undefined ||
    !(declared <= UNCOUNTED_BYTES)
  );
}

export class SlotsBusyError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      503,
      'request.busy',
      `The API is taking as many large requests as it can; retry in ${retryAfterSeconds} s`,
    );
  }
}

/**
 * A counting semaphore for large bodies: beyond `capacity`, a request waits up to `waitMs`
 * for a slot (its body stays in the network meanwhile), then is told to come back.
 */
export class BodySlots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly capacity: number,
    private readonly waitMs: number,
  ) {}

  acquire(): Promise<() => void> {
    if (this.used < this.capacity) {
      this.used += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.used += 1;
        resolve(this.releaser());
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(wake), 1);
        reject(new SlotsBusyError(Math.max(1, Math.ceil(this.waitMs / 1000))));
      }, this.waitMs);
      this.waiting.push(wake);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= 1;
      this.waiting.shift()?.();
    };
  }
}
