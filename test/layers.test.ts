import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under `dir`, as paths relative to the repository root. */
function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => path.join(dir, file));
}

/** The folders under src/ that a file imports from, resolved from its relative import paths. */
function importedFolders(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const folders: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = path.relative('src', path.resolve(path.dirname(file), match[1] as string));
    folders.push(target.split(path.sep)[0] as string);
  }
  return folders;
}

/** Files of `dir` that import from the src/ folder `forbidden`. */
function importersOf(dir: string, forbidden: string): string[] {
  return sources(dir).filter((file) => importedFolders(file).includes(forbidden));
}

describe('the layers of src/ depend one way', () => {
  it('finds imports across folders (the check itself works)', () => {
    expect(importersOf('src/cli', 'server')).toContain(path.join('src/cli', 'serve.ts'));
    expect(importersOf('src/sync', 'store').length).toBeGreaterThan(0);
  });

  it('nothing outside the CLI imports the CLI', () => {
    const outside = fs
      .readdirSync('src', { withFileTypes: true })
      .filter((entry) => entry.name !== 'cli')
      .flatMap((entry) => (entry.isDirectory() ? importersOf(path.join('src', entry.name), 'cli') : []));
    const topLevel = fs
      .readdirSync('src')
      .filter((name) => /\.tsx?$/.test(name))
      .map((name) => path.join('src', name))
      .filter((file) => importedFolders(file).includes('cli'));
    expect([...outside, ...topLevel]).toEqual([]);
  });

  it('the store does not import the sync (the sync builds its queue on the store)', () => {
    expect(importersOf('src/store', 'sync')).toEqual([]);
  });
});
