import { createHmac } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { Principal } from '#auth';

export type CallerKind = Principal['kind'] | 'anonymous';

export interface Caller {
  kind: CallerKind;
  /** What the budget is counted on; never a national identity number in clear. */
  id: string;
}

/**
 * The unit an IPv6 client is counted by: its /64, which any one subscriber gets whole, so
 * rotating addresses inside it buys no extra requests. IPv4 (also IPv4-mapped) is counted as is.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIPv4(ip) || !ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Who a request is counted against: an agency (all its keys together, so more keys buy no more
 * requests), a person or an auditor (keyed by an HMAC so Redis never holds an identity number),
 * or, without a principal, the client's network.
 */
export function callerOf(principal: Principal | undefined, ip: string, key: Buffer): Caller {
  const pseudonym = (value: string) =>
    createHmac('sha256', key).update(`rate-limit:${value}`).digest('base64url').slice(0, 22);
  switch (principal?.kind) {
    case 'agency':
      return { kind: 'agency', id: principal.agencyId };
    case 'citizen':
      return { kind: 'citizen', id: pseudonym(principal.nationalId) };
    case 'auditor':
      return { kind: 'auditor', id: pseudonym(principal.subject) };
    default:
      return { kind: 'anonymous', id: clientNetwork(ip) };
  }
}
