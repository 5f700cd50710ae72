import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobNotFoundError,
  type BlobStore,
  meter,
  SHA256_HEX,
  type StoredBlob,
  sha256Of,
} from './blob-store.js';

/**
 * Media bytes under `<dataDir>/media/ab/cd/<sha256>`. Writes go to a temp file first and are renamed
 * into place, so a crash never leaves a half file under a real hash, and two writers of the same bytes
 * simply both succeed. Every process must see the same folder (one machine, or a shared volume).
 */
export class FileBlobStore implements BlobStore {
  readonly kind = 'filesystem';
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'media');
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    return fs.promises.stat(this.pathOf(sha256)).then(
      (stat) => stat.size,
      () => undefined,
    );
  }

  async putBytes(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = sha256Of(bytes);
    if (!(await this.has(sha256))) {
      const temp = await this.tempPath();
      await fs.promises.writeFile(temp, bytes);
      await this.moveIntoPlace(temp, sha256);
    }
    return { sha256, sizeBytes: bytes.byteLength };
  }

  async putStream(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    maxBytes: number,
  ): Promise<StoredBlob> {
    const temp = await this.tempPath();
    const metered = meter(maxBytes);
    try {
      await pipeline(source, metered, fs.createWriteStream(temp));
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
    const stored = metered.result();
    await this.moveIntoPlace(temp, stored.sha256);
    return stored;
  }

  async remove(sha256: string): Promise<boolean> {
    if (!SHA256_HEX.test(sha256)) return false;
    return fs.promises.rm(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  open(sha256: string): Readable {
    const file = SHA256_HEX.test(sha256) ? this.pathOf(sha256) : undefined;
    async function* read(): AsyncGenerator<Buffer> {
      if (file === undefined) throw new BlobNotFoundError(sha256);
      try {
        for await (const chunk of fs.createReadStream(file)) yield chunk as Buffer;
      } catch (error) {
        // One error for missing bytes, whichever store holds them.
        throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobNotFoundError(sha256) : error;
      }
    }
    return Readable.from(read(), { objectMode: false });
  }

  private pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private async tempPath(): Promise<string> {
    const dir = path.join(this.root, 'tmp');
    await fs.promises.mkdir(dir, { recursive: true });
    return path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  private async moveIntoPlace(temp: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(temp, target);
  }
}
