import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './webhook-target';

type Checked = Extract<CheckedTarget, { ok: true }>;

/**
 * A lookup that answers only the address already checked: the connection cannot go anywhere
 * the check did not see, whatever DNS says by now. Node 20 asks for all addresses (`all: true`)
 * when it races IPv4 and IPv6 (autoSelectFamily), and for one otherwise.
 */
export function pinnedLookup(target: Checked): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

/**
 * POSTs `body` to `url`, connecting to the checked address; the Host header and the TLS server
 * name (SNI, certificate check) stay the URL's name. Redirects are not followed (node:http never
 * does), the whole attempt is bounded by `timeoutMs`, and the answer's body is never read: only
 * the status counts, so a receiver cannot make the worker hold a large or endless answer.
 * Resolves to the status code.
 */
export function postToCheckedTarget(
  url: URL,
  target: Checked,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const options: RequestOptions = {
    method: 'POST',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinnedLookup(target),
    // A fresh connection per attempt: a pooled socket would carry an earlier check's address.
    agent: false,
  };
  const signal = AbortSignal.timeout(timeoutMs);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({ ...options, signal }, (response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    req.on('error', (error) =>
      reject(signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : error),
    );
    req.end(body);
  });
}
