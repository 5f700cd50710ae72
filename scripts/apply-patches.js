#!/usr/bin/env node
/**
 * Applies `patches/<package>+<version>.patch` to the installed packages: wasync's postinstall, in a
 * checkout and in an install from the registry alike. patch-package (a devDependency, used to make the
 * patches) patches only `./node_modules` of the folder it runs in, so it misses a dependency that npm
 * hoisted next to an installed wasync; this finds each package the way Node does (up the folders from
 * here). Applying twice changes nothing; a file that matches neither side of a patch stops the install.
 * No dependencies: it runs before anything else is known to be there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The installed folder of `name`, found as Node's resolution finds it, from `from` upwards. */
export function packageDir(name, from = root) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The files a unified diff changes: for each, its package, its path inside the package, and its
 * hunks as the text before and after (context lines in both).
 */
export function parsePatch(text) {
  const files = [];
  let file;
  let hunk;
  for (const line of text.split('\n')) {
    const header = /^diff --git a\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(\S+) /.exec(line);
    if (header) {
      file = { name: header[1], file: header[2], hunks: [] };
      files.push(file);
      hunk = undefined;
    } else if (line.startsWith('@@')) {
      hunk = { before: [], after: [] };
      file?.hunks.push(hunk);
    } else if (hunk && !line.startsWith('\\')) {
      if (line.startsWith('-')) hunk.before.push(line.slice(1));
      else if (line.startsWith('+')) hunk.after.push(line.slice(1));
      else if (line.startsWith(' ') || line === '') {
        hunk.before.push(line.slice(1));
        hunk.after.push(line.slice(1));
      }
    }
  }
  for (const each of files) {
    for (const h of each.hunks) {
      // The blank line that ends the diff is no context line.
      while (h.before.at(-1) === '' && h.after.at(-1) === '') {
        h.before.pop();
        h.after.pop();
      }
    }
  }
  return files;
}

/** Applies one patch file; returns what it did per changed file ('applied' or 'already applied'). */
export function applyPatch(patchFile, from = root) {
  const results = [];
  for (const change of parsePatch(fs.readFileSync(patchFile, 'utf8'))) {
    const dir = packageDir(change.name, from);
    if (!dir) throw new Error(`${path.basename(patchFile)}: ${change.name} is not installed`);
    const target = path.join(dir, change.file);
    let source = fs.readFileSync(target, 'utf8');
    let applied = 0;
    for (const { before, after } of change.hunks) {
      const old = before.join('\n');
      const patched = after.join('\n');
      if (source.includes(patched) && !source.includes(old)) continue;
      const at = source.indexOf(old);
      if (at < 0 || source.indexOf(old, at + 1) >= 0) {
        const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
        throw new Error(
          `${path.basename(patchFile)} does not fit ${change.name}@${version} (${change.file}): ` +
            'the text it changes is not there once',
        );
      }
      source = source.slice(0, at) + patched + source.slice(at + old.length);
      applied += 1;
    }
    if (applied > 0) fs.writeFileSync(target, source);
    results.push({ file: path.relative(from, target), state: applied > 0 ? 'applied' : 'already applied' });
  }
  return results;
}

/** Applies every patch of wasync's `patches/`; returns what it did, per patch and file. */
export function applyAll(from = root) {
  const dir = path.join(root, 'patches');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.patch'))
    .sort()
    .flatMap((name) => applyPatch(path.join(dir, name), from).map((result) => ({ patch: name, ...result })));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const { patch, file, state } of applyAll()) {
      process.stdout.write(`wasync: ${patch}: ${state} to ${file}\n`);
    }
  } catch (error) {
    process.stderr.write(`wasync: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
