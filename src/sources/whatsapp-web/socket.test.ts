import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The library as installed, patched by `patches/baileys+*.patch` (applied by the postinstall,
 * `scripts/apply-patches.js`, on every install): a capture-only device must never tell WhatsApp it
 * is online.
 */
describe('the installed WhatsApp library', () => {
  const socketSource = readFileSync(
    fileURLToPath(new URL('Socket/socket.js', import.meta.resolve('baileys'))),
    'utf8',
  );

  it('sends no presence when the creds change (the unpatched library shows the owner online)', () => {
    const handler = /ev\.on\('creds\.update', update => \{([\s\S]*?)\n {4}\}\);/.exec(socketSource)?.[1];
    expect(handler).toBeDefined();
    expect(handler).toContain('Object.assign(creds, update)');
    expect(handler).not.toMatch(/sendNode|tag: 'presence'/);
  });
});
