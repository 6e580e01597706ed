import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { extract, pack, type Pack } from 'tar-stream';
import type { SigningKey } from '../signing-key';
import { EXPORT_PATHS } from './layout';
import { ManifestBuilder, signManifest, type ExportManifest } from './manifest';

/** The file mode and owner every entry gets: an export is a citizen's files, not ours. */
const FILE_HEADER = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' } as const;

/**
 * Writes a mailbox export as a tar stream, one file at a time: each file resolves only once
 * the reader has taken it (tar-stream holds the next file back while its reader is behind), so
 * a slow download holds one file in memory, never the archive. Every file is hashed into the
 * manifest as it goes; `finish` writes the manifest and its signature last.
 */
export class ExportArchiveWriter {
  readonly stream: Pack = pack();
  private readonly manifest = new ManifestBuilder();

  constructor(private readonly createdAt: Date) {}

  async file(path: string, content: Uint8Array | string): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.manifest.add(path, bytes);
    await this.entry(path, bytes);
  }

  json(path: string, value: unknown): Promise<void> {
    return this.file(path, `${JSON.stringify(value, null, 2)}\n`);
  }

  async finish(
    meta: Pick<ExportManifest, 'recipientRef' | 'treeSize'>,
    key: SigningKey,
  ): Promise<void> {
    const manifest = { ...meta, createdAt: this.createdAt.toISOString() };
    const bytes = this.manifest.toBytes(manifest);
    await this.entry(EXPORT_PATHS.manifest, bytes);
    await this.entry(
      EXPORT_PATHS.manifestJws,
      Buffer.from(`${await signManifest(bytes, manifest, key)}\n`),
    );
    this.stream.finalize();
  }

  /** Ends the archive early: the reader sees a broken tar, never a short one that passes. */
  abort(error: Error): void {
    this.stream.destroy(error);
  }

  private entry(name: string, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.entry(
        { ...FILE_HEADER, name, size: bytes.length, mtime: this.createdAt, type: 'file' },
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }
}

/** A file of an archive, read whole (one at a time: the largest is one document). */
export interface ArchiveFile {
  path: string;
  bytes: Buffer;
}

/** The files of a tar stream in archive order; anything but plain files is refused. */
export async function* readArchive(input: Readable): AsyncGenerator<ArchiveFile> {
  const files = extract();
  input.pipe(files);
  input.once('error', (error) => files.destroy(error));
  for await (const entry of files) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type !== 'file') {
      throw new Error(`${entry.header.name} is a ${entry.header.type}, not a file`);
    }
    yield { path: entry.header.name, bytes: Buffer.concat(chunks) };
  }
}

/**
 * Joins the tar stream's many small chunks (a 512-byte header, the file, its padding: three per
 * file) into blocks of about `size` bytes before they reach the socket. Every write to a socket
 * lives until the kernel has taken it, long enough to be promoted to V8's old space; ninety
 * thousand of them at 10,000 letters were much of the export's memory (docs/benchmarks.md).
 */
export class BlockStream extends Transform {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly size = 64 * 1024) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length >= this.size) this.flushBlock();
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.length > 0) this.flushBlock();
    done();
  }

  private flushBlock(): void {
    this.push(Buffer.concat(this.chunks, this.length));
    this.chunks = [];
    this.length = 0;
  }
}
