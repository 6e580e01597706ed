import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalid } from '#errors';

/** Addresses a production webhook must never reach: loopback, private, link-local and the like. */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isForbiddenAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
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

/**
 * Checked before each delivery: the name must resolve to public addresses only, so DNS cannot
 * be turned against our own network after registration. Returns a reason when refused.
 */
export async function refusedTarget(url: URL, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [{ address: host }]
    : await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) return `${host} does not resolve`;
  const bad = addresses.find((a) => isForbiddenAddress(a.address));
  return bad ? `${host} resolves to a private or loopback address` : null;
}
