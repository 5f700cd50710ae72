/**
 * Packs the built extension (dist/extension, from `vite build --config extension/vite.config.ts`) into
 * dist/wasync-extension-<version>.zip: the file a browser's "Load unpacked" takes once unzipped, or a
 * store takes as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILT = path.join(ROOT, 'dist/extension');

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    )
    .sort();
}

async function main(): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(BUILT, 'manifest.json'), 'utf8')) as {
    version: string;
  };
  // The build's bookkeeping for its dev server is not part of the extension.
  const packed = files(BUILT).filter((file) => !path.relative(BUILT, file).startsWith('.vite'));
  const target = path.join(ROOT, 'dist', `wasync-extension-${manifest.version}.zip`);
  const zip = new yazl.ZipFile();
  // A fixed time for every entry: the same build packs into the same bytes.
  const mtime = new Date('2026-01-01T00:00:00Z');
  for (const file of packed)
    zip.addFile(file, path.relative(BUILT, file).split(path.sep).join('/'), { mtime });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(target)).on('close', resolve).on('error', reject);
  });
  process.stdout.write(`${path.relative(ROOT, target)}: ${packed.length} files\n`);
}

await main();
