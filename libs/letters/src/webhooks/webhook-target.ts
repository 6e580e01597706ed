import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalid } from '#errors';

/**
 * Addresses a production webhook must never reach: loopback, private, link-local, shared,
 * documentation, benchmarking, multicast and reserved space (IANA's special-purpose registries).
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form (::10.0.0.1).
  ['::', 96],
  // Translators and tunnels carry an IPv4 address inside, so a private one could be reached
  // through them: SIIT, NAT64 (well-known and local-use prefixes), 6to4, Teredo.
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['2001::', 32],
  ['100::', 64],
  ['2001:2::', 48],
  ['2001:10::', 28],
  ['2001:20::', 28],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/**
 * IPv4-mapped IPv6 (::ffff:0:0/96, in either spelling: ::ffff:10.0.0.1 or ::ffff:a00:1) is
 * judged as the IPv4 address it carries; everything else by its own family.
 */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  const mapped = mappedIPv4(address);
  return mapped ? FORBIDDEN.check(mapped, 'ipv4') : FORBIDDEN.check(address, 'ipv6');
}

function mappedIPv4(address: string): string | null {
  // The URL parser writes IPv6 canonically (compressed, lower case, the IPv4 part in hex).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Checked when a webhook is registered: the URL's form. */
export function assertWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('webhook.invalid_url', 'url is not a valid absolute URL');
  }
  if (url.username || url.password)
    throw invalid('webhook.invalid_url', 'url must not contain credentials');
  if (allowPrivate) {
    if (!['http:', 'https:'].includes(url.protocol))
      throw invalid('webhook.invalid_url', 'url must be http(s)');
    return url;
  }
  if (url.protocol !== 'https:') throw invalid('webhook.invalid_url', 'url must use HTTPS');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isForbiddenAddress(host)) {
    throw invalid('webhook.invalid_url', 'url must not point to a private or loopback address');
  }
  return url;
}

/** One name resolved to its addresses, as `dns.lookup(host, { all: true })` answers. */
export type Resolver = (host: string) => Promise<{ address: string }[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true });

export type CheckedTarget =
  { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/**
 * Checked before each delivery: the name is resolved once, every address it resolves to must be
 * public, and the request then connects to the address that was checked (webhook-request.ts).
 * A second resolution at connect time could answer differently (DNS rebinding).
 */
export async function checkTarget(
  url: URL,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<CheckedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host }] : await resolve(host).catch(() => []);
  const first = addresses[0];
  if (!first || addresses.some((a) => isIP(a.address) === 0))
    return { ok: false, reason: `${host} does not resolve` };
  if (!allowPrivate && addresses.some((a) => isForbiddenAddress(a.address)))
    return { ok: false, reason: `${host} resolves to a private or loopback address` };
  return { ok: true, address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
}
