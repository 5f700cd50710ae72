import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePatch } from '../scripts/apply-patches.js';

const PATCH = 'patches/baileys+7.0.0-rc14.patch';
const installedSocket = fileURLToPath(new URL('Socket/socket.js', import.meta.resolve('baileys')));

/** The same check as the installed library's test: the creds handler sends nothing. */
function sendsPresenceOnCreds(source: string): boolean {
  const handler = /ev\.on\('creds\.update', update => \{([\s\S]*?)\n {4}\}\);/.exec(source)?.[1];
  if (handler === undefined) throw new Error('no creds.update handler');
  return /sendNode|tag: 'presence'/.test(handler);
}

/**
 * An install from the registry, as npm lays it out: wasync (its script and patches only) in
 * node_modules, with baileys hoisted beside it, not under it — where patch-package, run in wasync's
 * folder, does not look. Baileys's socket is the library's own file before the patch.
 */
function registryInstall(socketSource: string): { app: string; script: string; socket: string } {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-patches-'));
  const wasync = path.join(app, 'node_modules', 'wasync');
  fs.mkdirSync(path.join(wasync, 'scripts'), { recursive: true });
  fs.mkdirSync(path.join(wasync, 'patches'));
  fs.copyFileSync('scripts/apply-patches.js', path.join(wasync, 'scripts', 'apply-patches.js'));
  fs.copyFileSync(PATCH, path.join(wasync, PATCH));
  const baileys = path.join(app, 'node_modules', 'baileys');
  fs.mkdirSync(path.join(baileys, 'lib', 'Socket'), { recursive: true });
  fs.writeFileSync(path.join(baileys, 'package.json'), '{"name":"baileys","version":"7.0.0-rc14"}');
  const socket = path.join(baileys, 'lib', 'Socket', 'socket.js');
  fs.writeFileSync(socket, socketSource);
  return { app, script: path.join(wasync, 'scripts', 'apply-patches.js'), socket };
}

/** Puts the compiled runtime check where an installed wasync has it, and runs it in a new process. */
function runtimeCheck(app: string): { status: number | null; stdout: string; stderr: string } {
  const dir = path.join(app, 'node_modules', 'wasync', 'dist', 'sources', 'whatsapp-web');
  fs.mkdirSync(dir, { recursive: true });
  const source = fs.readFileSync('src/sources/whatsapp-web/library-patch.ts', 'utf8');
  const compiled = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = path.join(dir, 'library-patch.js');
  fs.writeFileSync(file, compiled);
  fs.writeFileSync(path.join(app, 'node_modules', 'wasync', 'package.json'), '{"type":"module"}');
  const program = `import(${JSON.stringify(file)}).then((m) => m.ensureLibraryPatched()).then(() => console.log('ok'), (e) => { console.error(e.message); process.exit(1); })`;
  return spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
}

describe('the postinstall that applies patches/', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  const [change] = parsePatch(fs.readFileSync(PATCH, 'utf8'));
  const patched = fs.readFileSync(installedSocket, 'utf8');
  const before = change?.hunks[0]?.before.join('\n') ?? '';
  const after = change?.hunks[0]?.after.join('\n') ?? '';
  const unpatched = patched.replace(after, before);

  it('reads the patch: baileys, lib/Socket/socket.js, the presence send taken out', () => {
    expect(change).toMatchObject({ name: 'baileys', file: 'lib/Socket/socket.js' });
    expect(change?.hunks).toHaveLength(1);
    expect(unpatched).not.toBe(patched);
    expect(sendsPresenceOnCreds(unpatched)).toBe(true);
  });

  it('patches a baileys hoisted beside wasync, once, and a second run changes nothing', () => {
    const install = registryInstall(unpatched);
    made.push(install.app);
    const first = execFileSync(process.execPath, [install.script], { cwd: path.dirname(install.script) });
    expect(first.toString()).toContain('baileys+7.0.0-rc14.patch: applied');
    const source = fs.readFileSync(install.socket, 'utf8');
    expect(sendsPresenceOnCreds(source)).toBe(false);
    expect(source).toBe(patched);

    const second = execFileSync(process.execPath, [install.script]);
    expect(second.toString()).toContain('already applied');
    expect(fs.readFileSync(install.socket, 'utf8')).toBe(patched);
  });

  it('stops the install when the library is not the one the patch was made for', () => {
    const other = unpatched.replace("logger.debug({ name }, 'updated pushName');", '// another version');
    const install = registryInstall(other);
    made.push(install.app);
    const run = spawnSync(process.execPath, [install.script], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('does not fit baileys@7.0.0-rc14 (lib/Socket/socket.js)');
    expect(fs.readFileSync(install.socket, 'utf8')).toBe(other);
  });

  it('when the install ran no scripts, patches the library before it is first loaded', () => {
    const install = registryInstall(unpatched);
    made.push(install.app);
    const run = runtimeCheck(install.app);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('ok');
    expect(fs.readFileSync(install.socket, 'utf8')).toBe(patched);
  });

  it('refuses to start a library it cannot patch, saying why', () => {
    const other = unpatched.replace("logger.debug({ name }, 'updated pushName');", '// another version');
    const install = registryInstall(other);
    made.push(install.app);
    const run = runtimeCheck(install.app);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('The WhatsApp library is not patched');
    expect(run.stderr).toContain('does not fit baileys@7.0.0-rc14');
    expect(fs.readFileSync(install.socket, 'utf8')).toBe(other);
  });
});
