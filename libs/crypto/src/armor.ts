/** Result of taking ASCII armor apart; the body is still base64. */
export interface Unarmored {
  type: string;
  base64: string;
}

/** Why a text is not a single well-formed ASCII armor block. */
export class ArmorFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ArmorFormatError';
  }
}

const BEGIN = /^-----BEGIN PGP ([A-Z0-9 ,/]+)-----$/;
const HEADER = /^[\x21-\x39\x3b-\x7e]+: /;
const CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;

export function looksArmored(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN ');
}

/**
 * Deliberately narrower than openpgp's own reader: exactly one block, nothing but whitespace
 * around it, so that what is stored is exactly what was checked.
 */
export function unarmor(text: string): Unarmored {
  const lines = text.trim().split(/\r?\n/).map(trimLineEnd);
  const begin = BEGIN.exec(lines[0] ?? '');
  if (!begin) {
    throw new ArmorFormatError('the first line is not an armor header "-----BEGIN PGP ...-----"');
  }
  const type = begin[1] ?? '';
  const endLine = `-----END PGP ${type}-----`;
  const end = lines.indexOf(endLine);
  if (end === -1) {
    throw new ArmorFormatError(`no "${endLine}" line (truncated?)`);
  }
  if (end !== lines.length - 1) {
    throw new ArmorFormatError(`text after "${endLine}" (only one armored block is accepted)`);
  }

  let i = 1;
  while (i < end && HEADER.test(lines[i] ?? '')) i++;
  const body = lines.slice(i, end).filter((line) => line !== '');
  // RFC 9580 6.1: the CRC24 line is optional and must not cause a rejection either way;
  // integrity comes from the encrypted packet's MDC or AEAD tag.
  if (body.length > 0 && CHECKSUM.test(body[body.length - 1] ?? '')) body.pop();
  return { type, base64: body.join('') };
}

function trimLineEnd(line: string): string {
  return line.replace(/[ \t]+$/, '');
}
