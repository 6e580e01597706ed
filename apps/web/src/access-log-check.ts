import type { Schemas } from './api';

type Evidence = Schemas['AccessLogEvidence'];

export type InclusionResult =
  | { ok: true; entries: number; treeSize: number; signedAt: string }
  | { ok: false; problems: string[] };

/** A platform signing key as `GET /v1/platform/keys` lists it (`receipts.keys`). */
export interface PlatformJwk {
  kid: string;
  kty: string;
  crv: string;
  x: string;
}

const TREE_HEAD_TYPE = 'postkasse-tree-head+jws';
const LEAF_TYPE = 'postkasse-access-leaf+jws';

/**
 * The browser's check of the access log against the transparency log, with WebCrypto: the tree
 * head and every leaf are Ed25519 JWSs by a platform key, each leaf is included (RFC 9162) in the
 * head's tree at its own index and of one mailbox, every entry shown hashes (RFC 8785 JSON,
 * SHA-256) to a leaf's `entryHash`, and every leaf has its entry. The project's verifier (libs/evidence
 * `verifyAccessLogEvidence`) runs on node:crypto and Buffer, so it is not bundled; this follows
 * it for what the page shows. Loaded only on the access-log page.
 */
export async function checkInclusion(
  evidence: Evidence,
  keys: readonly PlatformJwk[],
  shownIds: readonly string[],
): Promise<InclusionResult> {
  let head: { treeSize: number; rootHash: string; timestamp: string };
  try {
    head = (await verifyJws(evidence.treeHead.jws, TREE_HEAD_TYPE, keys)) as typeof head;
  } catch (err) {
    return { ok: false, problems: [`the tree head does not verify: ${(err as Error).message}`] };
  }
  const root = fromBase64Url(head.rootHash);
  const { treeSize } = head;
  const problems: string[] = [];
  /** entryHash → leaf index, of the leaves that verify and are in the tree. */
  const included = new Map<string, number>();
  let recipientRef: string | null = null;
  for (const leaf of evidence.leaves) {
    let payload: { entryHash: string; logIndex: number; recipientRef: string };
    try {
      payload = (await verifyJws(leaf.jws, LEAF_TYPE, keys)) as typeof payload;
    } catch (err) {
      problems.push(`leaf ${leaf.index} does not verify: ${(err as Error).message}`);
      continue;
    }
    recipientRef ??= payload.recipientRef;
    const leafHash = await sha256(concat([new Uint8Array([0]), utf8(leaf.jws)]));
    const path = leaf.inclusionProof.map(fromBase64Url);
    if (payload.logIndex !== leaf.index) {
      problems.push(`leaf ${leaf.index} is signed as leaf ${payload.logIndex}`);
    } else if (payload.recipientRef !== recipientRef) {
      problems.push(`leaf ${leaf.index} is of another mailbox`);
    } else if (!(await isIncluded(leafHash, leaf.index, treeSize, path, root))) {
      problems.push(`leaf ${leaf.index} is not in the tree head of size ${treeSize}`);
    } else {
      included.set(payload.entryHash, leaf.index);
    }
  }
  // Every entry the evidence holds is hashed: a leaf none of them hashes to is an entry removed.
  const hashes = new Map<string, string>();
  for (const entry of evidence.entries)
    hashes.set(entry.id, toBase64Url(await sha256(utf8(canonicalJson(entry)))));
  const byId = new Map(evidence.entries.map((e) => [e.id, e]));
  for (const id of shownIds) {
    const entry = byId.get(id);
    if (!entry) problems.push(`entry ${id} is not in the evidence`);
    else if (!included.has(hashes.get(id)!))
      problems.push(`entry ${id} (${entry.at}) has no leaf in the log`);
  }
  const entryHashes = new Set(hashes.values());
  for (const [hash, index] of included)
    if (!entryHashes.has(hash))
      problems.push(`leaf ${index} has no entry: an entry was removed from the access log`);
  if (problems.length) return { ok: false, problems };
  return { ok: true, entries: shownIds.length, treeSize, signedAt: head.timestamp };
}

/**
 * A compact JWS with exactly the header the platform signs ({alg: EdDSA, kid, typ}), by one of
 * its keys: its payload. Throws with the reason otherwise.
 */
async function verifyJws(jws: string, typ: string, keys: readonly PlatformJwk[]): Promise<unknown> {
  const [header64, payload64, signature64, ...rest] = jws.split('.');
  if (!header64 || !payload64 || !signature64 || rest.length) throw new Error('not a compact JWS');
  const header = JSON.parse(decode(header64)) as Record<string, unknown>;
  if (Object.keys(header).sort().join(',') !== 'alg,kid,typ' || header.alg !== 'EdDSA')
    throw new Error('unexpected JWS header');
  if (header.typ !== typ) throw new Error(`unexpected typ ${String(header.typ)}`);
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`unknown key ${String(header.kid)}`);
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x },
    { name: 'Ed25519' },
    false,
    ['verify'],
  );
  const signed = utf8(`${header64}.${payload64}`);
  const signature = fromBase64Url(signature64);
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, signed)))
    throw new Error('bad signature');
  return JSON.parse(decode(payload64));
}

const decode = (base64url: string) => new TextDecoder().decode(fromBase64Url(base64url));

/** RFC 8785: object keys sorted by UTF-16 code units, strings and numbers as ECMAScript writes them. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** RFC 9162 §2.1.3.2, as libs/evidence/src/verify/inclusion.ts follows it. */
async function isIncluded(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  path: Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.length === root.length && r.every((byte, i) => byte === root[i]);
}

const node = (left: Uint8Array, right: Uint8Array) =>
  sha256(concat([new Uint8Array([1]), left, right]));

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource));
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
