import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

/** One file of the archive: bytes at hand, or a stream opened when its turn comes. */
export interface ZipEntry {
  name: string;
  data: Uint8Array | (() => Readable);
}

/** Plain zip (no ZIP64): each entry and the whole archive stay under 4 GiB. */
const LIMIT = 0xffff_ffff;

/**
 * Writes a zip archive as it goes, entries stored uncompressed (media is compressed already), each
 * with a data descriptor so a streamed entry's size and CRC-32 follow its bytes (APPNOTE 4.3.9). No
 * dependency of the package writes zips, and this is all an export needs.
 */
export async function* zipStream(
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
): AsyncGenerator<Buffer> {
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  const { date, time } = dosTime(new Date());
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0x0808, 6); // data descriptor follows; names are UTF-8
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt16LE(name.length, 26);
    yield header;
    yield name;
    let crc = 0;
    let size = 0;
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      typeof entry.data === 'function' ? entry.data() : [entry.data];
    for await (const chunk of chunks) {
      const bytes = Buffer.from(chunk);
      crc = crc32(bytes, crc);
      size += bytes.length;
      if (size > LIMIT) throw new Error(`${entry.name} is larger than a plain zip holds`);
      yield bytes;
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    yield descriptor;
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4); // made by
    record.writeUInt16LE(20, 6); // needed
    record.writeUInt16LE(0x0808, 8);
    record.writeUInt16LE(0, 10);
    record.writeUInt16LE(time, 12);
    record.writeUInt16LE(date, 14);
    record.writeUInt32LE(crc >>> 0, 16);
    record.writeUInt32LE(size, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offset, 42);
    central.push(record, name);
    offset += 30 + name.length + size + 16;
    count++;
    if (offset > LIMIT || count >= 0xffff) throw new Error('the export is larger than a plain zip holds');
  }
  const directory = Buffer.concat(central);
  yield directory;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  yield end;
}

function dosTime(at: Date): { date: number; time: number } {
  return {
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
  };
}
