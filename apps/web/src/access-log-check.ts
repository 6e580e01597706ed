import type { Schemas } from './api';

type Evidence = Schemas['AccessLogEvidence'];

export type InclusionResult =
  | { ok: true; entries: number; treeSize: number; signedAt: string }
  | { ok: false; problems: string[] };

/**
 * The browser's check of the access log against the transparency log (RFC 9162 hashing with
 * WebCrypto): every entry shown hashes (RFC 8785 JSON, SHA-256) to the `entryHash` of a leaf,
 * and that leaf is included in the signed tree head's tree. The project's own verifier
 * (libs/evidence `verifyAccessLogEvidence`) needs node:crypto, so it is not bundled; it also
 * checks the signatures, which the export's offline check does (`evidence verify-access-log`).
 * Loaded only on the access-log page.
 */
export async function checkInclusion(
  evidence: Evidence,
  shownIds: readonly string[],
): Promise<InclusionResult> {
  const root = fromBase64Url(evidence.treeHead.rootHash);
  const { treeSize } = evidence.treeHead;
  const problems: string[] = [];
  const included = new Set<string>();
  for (const leaf of evidence.leaves) {
    const leafHash = await sha256(concat([new Uint8Array([0]), utf8(leaf.jws)]));
    const path = leaf.inclusionProof.map(fromBase64Url);
    if (!(await isIncluded(leafHash, leaf.index, treeSize, path, root))) {
      problems.push(`leaf ${leaf.index} is not in the tree head of size ${treeSize}`);
      continue;
    }
    const hash = entryHashOf(leaf.jws);
    if (hash) included.add(hash);
  }
  const byId = new Map(evidence.entries.map((e) => [e.id, e]));
  for (const id of shownIds) {
    const entry = byId.get(id);
    if (!entry) {
      problems.push(`entry ${id} is not in the evidence`);
      continue;
    }
    const hash = toBase64Url(await sha256(utf8(canonicalJson(entry))));
    if (!included.has(hash)) problems.push(`entry ${id} (${entry.at}) has no leaf in the log`);
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    entries: shownIds.length,
    treeSize,
    signedAt: evidence.treeHead.timestamp,
  };
}

/** RFC 8785: object keys sorted by UTF-16 code units, strings and numbers as ECMAScript writes them. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The leaf's `entryHash`, read from its JWS payload; null if it is not a leaf's. */
function entryHashOf(jws: string): string | null {
  try {
    const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(jws.split('.')[1] ?? '')));
    return typeof payload?.entryHash === 'string' ? payload.entryHash : null;
  } catch {
    return null;
  }
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
