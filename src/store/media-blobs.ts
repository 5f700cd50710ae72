import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The file is larger than the ${limitBytes}-byte limit`);
    this.name = 'BlobTooLargeError';
  }
}

/**
 * Media bytes, stored once per content under `<dataDir>/media/ab/cd/<sha256>`. Writes go to a temp
 * file first and are renamed into place, so a crash never leaves a half file under a real hash, and
 * two writers of the same bytes simply both succeed.
 */
export class MediaBlobStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'media');
  }

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return fs.promises.access(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async putBytes(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (!(await this.has(sha256))) {
      const temp = await this.tempPath();
      await fs.promises.writeFile(temp, bytes);
      await this.moveIntoPlace(temp, sha256);
    }
    return { sha256, sizeBytes: bytes.byteLength };
  }

  /** Streams bytes in, hashing as they pass; aborts with BlobTooLargeError past `maxBytes`. */
  async putStream(source: Readable, maxBytes: number): Promise<StoredBlob> {
    const temp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) return callback(new BlobTooLargeError(maxBytes));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(temp));
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    await this.moveIntoPlace(temp, sha256);
    return { sha256, sizeBytes: size };
  }

  /** Deletes the file of these bytes (an erasure, once no media row uses them); false if there was none. */
  async remove(sha256: string): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return false;
    return fs.promises.rm(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  open(sha256: string): Readable {
    return fs.createReadStream(this.pathOf(sha256));
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
